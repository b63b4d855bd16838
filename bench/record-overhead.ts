// Measurement 3: what recording costs on top of a real call. A loopback node:http server
// (keep-alive) answers; plain fetch against it is the baseline.
import { join } from 'node:path'
import { installInterception } from '@retrace/core'
import { count, postJson, postSse, SSE_EVENT_COUNT, type BenchContext } from './fixtures.ts'
import { byName, compareSubjects, ratio, rowOf, type MeasurementReport, type Subject } from './harness.ts'
import { startRetrace } from './tools.ts'

let cassetteNumber = 0

/**
 * Recording subjects for one kind of call. Retrace records into one cassette per round that
 * collects every call of the round (as a test file records many calls into one cassette);
 * `stop()`, which redacts, extracts steps and writes the file, runs outside the timed loop
 * and is reported separately.
 */
function recordSubjects(ctx: BenchContext, call: (fetchFn: typeof fetch) => Promise<void>): Subject[] {
  return [
    { name: 'fetch → loopback (no interception)', start: async () => ({ call: () => call(globalThis.fetch), stop: async () => {} }) },
    {
      name: 'retrace installed, no cassette',
      start: async () => {
        // What every non-cassette request pays once @retrace/core/setup is loaded.
        const release = installInterception()
        return { call: () => call(globalThis.fetch), stop: async () => release() }
      },
    },
    {
      name: 'retrace record (global fetch)',
      start: async () => {
        const run = startRetrace(join(ctx.tmp, `record-${++cassetteNumber}.cassette.json`), { mode: 'record' })
        return {
          call: () => call(globalThis.fetch),
          stop: async () => {
            const { stopMs, interactions } = await run.stop()
            return { stopMs: stopMs!, interactions: interactions!, stopUsPerInteraction: (stopMs! * 1000) / interactions! }
          },
        }
      },
    },
  ]
}

/**
 * Record overhead for the 2 KB JSON call (per call) and the 200-event stream (per event):
 * plain fetch, fetch with Retrace installed but no cassette, and Retrace recording.
 */
export async function recordOverhead(ctx: BenchContext): Promise<MeasurementReport[]> {
  const url = ctx.server.url
  const jsonSubjects = recordSubjects(ctx, (fetchFn) => postJson(fetchFn, url))
  const json = await compareSubjects(jsonSubjects, { rounds: ctx.quick ? 1 : 5, warmup: count(ctx, 100), iterations: count(ctx, 500) }, ctx.log)
  const sseSubjects = recordSubjects(ctx, (fetchFn) => postSse(fetchFn, url))
  const sse = await compareSubjects(sseSubjects, { rounds: ctx.quick ? 1 : 5, warmup: count(ctx, 10), iterations: count(ctx, 40), unitsPerCall: SSE_EVENT_COUNT }, ctx.log)

  const report = (id: string, title: string, unit: MeasurementReport['unit'], results: typeof json, notes: string[]): MeasurementReport => {
    const [plain, installed, record] = jsonSubjects.map((s) => byName(results, s.name))
    return {
      id,
      title,
      unit,
      notes,
      rows: results.map(rowOf),
      ratios: [
        { label: 'record/plain', value: ratio(record!, plain!), stat: 'mean' },
        { label: 'installed/plain', value: ratio(installed!, plain!), stat: 'mean' },
        { label: 'record/plain', value: ratio(record!, plain!, 'p50'), stat: 'p50' },
        { label: 'installed/plain', value: ratio(installed!, plain!, 'p50'), stat: 'p50' },
      ],
      targets: [],
    }
  }
  const common = 'One cassette per round holds every call of the round; its stop() (redact, steps, serialize, secret scan, atomic write) is outside the timed loop and reported as stopMs.'
  return [
    report('record-json', 'Record overhead, 2 KB JSON over loopback (per call)', 'µs/call', json, [
      'Loopback node:http keep-alive server on 127.0.0.1; sequential fetch POST + res.json().',
      common,
    ]),
    report('record-sse', `Record overhead, ${SSE_EVENT_COUNT}-event SSE over loopback (per event)`, 'µs/event', sse, [
      'The server writes one event per chunk; the client consumes as in replay-sse.',
      'Retrace asks OpenAI-style chat streams for usage (stream_options.include_usage) and re-frames the stream it hands back, as it does by default.',
      common,
    ]),
  ]
}
