// The server's multi-agent detectors under ingest: the embedded-store server in its own
// process; acknowledgement latency at 5,000 spans/s alone, then while Who&When runs (real
// multi-agent traces, 100+ messages for the longest) end one every 150 ms, each one detected
// in the server's worker thread; and the time the detectors took per stored trace.
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importWhoAndWhen, type DetectorTrace } from '@retrace/detectors'
import { API_KEY_HEADER, type WireEvent } from '@retrace/protocol'
import { whoAndWhenDataDir } from '../test-support/who-and-when-data.ts'
import { percentile, type MeasurementReport, type ReportRow } from './harness.ts'
import { ackLatency, startChild, type ServerChild } from './server-ingest.ts'

/**
 * A trace's events under fresh ids (`<prefix>-<cycle>` appended), so each cycle is detected
 * anew; `tagged: false` sends the same spans without agents (plain spans: nothing to detect).
 */
function traceEvents(trace: DetectorTrace, suffix: string, tagged = true): WireEvent[] {
  const id = (value: string) => `${value}-${suffix}`
  const traceId = id(trace.trace.id)
  const untag = ({ agent: _agent, ...span }: DetectorTrace['spans'][number]) => ({ ...span, kind: span.kind === 'agent' ? ('span' as const) : span.kind })
  return [
    { type: 'trace.start', id: `${traceId}:start`, trace: { ...trace.trace, id: traceId } },
    ...trace.spans.map((span): WireEvent => ({ type: 'span', id: id(span.id), span: { ...(tagged ? span : untag(span)), id: id(span.id), traceId, ...(span.parentId ? { parentId: id(span.parentId) } : {}) } })),
    { type: 'trace.end', id: `${traceId}:end`, trace: { ...trace.end!, id: traceId } },
  ]
}

/** Posts one whole Who&When run every 150 ms until `stop()`; the trace ids posted. */
function feedRuns(server: ServerChild, traces: readonly DetectorTrace[], prefix: string, tagged: boolean): { stop(): Promise<string[]> } {
  const posted: string[] = []
  let stopping = false
  const feeding = (async () => {
    for (let n = 0; !stopping; n++) {
      const events = traceEvents(traces[n % traces.length]!, `${prefix}${Math.floor(n / traces.length)}`, tagged)
      await post(server, '/v1/events', { type: 'batch', batchId: `${prefix}-${n}`, events })
      posted.push(events[0]!.type === 'trace.start' ? events[0]!.trace.id : '')
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
  })()
  return {
    async stop() {
      stopping = true
      await feeding
      return posted
    },
  }
}

async function post(server: ServerChild, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { [API_KEY_HEADER]: server.key, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return response.json()
}

const stats = (name: string, micros: number[], extra: Record<string, number> = {}): ReportRow => {
  const sorted = [...micros].sort((a, b) => a - b)
  return { name, n: micros.length, mean: micros.reduce((a, b) => a + b, 0) / Math.max(1, micros.length), p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), rounds: [], extra }
}

/**
 * Ack latency with and without detections running, and the detectors' time per trace.
 *
 * @example
 * const report = await serverDetections({ quick: true, log: console.error })
 */
export async function serverDetections(options: { quick: boolean; log: (line: string) => void }): Promise<MeasurementReport[]> {
  const dir = whoAndWhenDataDir()
  if (!dir) {
    options.log('  server-detections: Who&When data not found (../shared/data/who-and-when); skipped')
    return []
  }
  const traces = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => importWhoAndWhen(JSON.parse(readFileSync(join(dir, file), 'utf8')), { source: file }).trace)
  const seconds = options.quick ? 3 : 10
  const server = await startChild('sqlite', ['retrace', `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-bench-detections-')), 'retrace.db')}`])
  try {
    options.log('  server-detections: ack latency alone')
    // Warm the worker (it starts on the first trace) before anything is timed.
    await post(server, '/v1/events', { type: 'batch', batchId: 'warm', events: traceEvents(traces[0]!, 'warm') })
    const alone = (await ackLatency(server, 'alone', seconds)).map((ms) => ms * 1000)

    options.log('  server-detections: ack latency while Who&When runs end, untagged (nothing to detect)')
    const plainFeed = feedRuns(server, traces, 'plain', false)
    const plain = (await ackLatency(server, 'plain', seconds)).map((ms) => ms * 1000)
    await plainFeed.stop()

    options.log('  server-detections: ack latency while Who&When runs end and are detected')
    const taggedFeed = feedRuns(server, traces, 'tagged', true)
    const loaded = (await ackLatency(server, 'loaded', seconds)).map((ms) => ms * 1000)
    const ended = await taggedFeed.stop()

    options.log(`  server-detections: waiting for the detections of ${ended.length} traces`)
    const durations: number[] = []
    const deadline = Date.now() + 300_000
    for (const traceId of ended) {
      let stored = await post(server, `/api/v1/traces/${encodeURIComponent(traceId)}/detections`)
      while (stored.status === 'none' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        stored = await post(server, `/api/v1/traces/${encodeURIComponent(traceId)}/detections`)
      }
      if (stored.status === 'done') durations.push(stored.durationMs * 1000)
    }
    const sorted = [...durations].sort((a, b) => a - b)
    const report: MeasurementReport = {
      id: 'server-detections',
      title: 'Server detectors under ingest (µs): ack latency at 5,000 spans/s, alone and while multi-agent traces end; detectors per trace',
      unit: 'µs/call',
      notes: [
        `A bare WebSocket client sends a 250-span batch every 50 ms for ${seconds} s, to the embedded-store server in its own process; alone, then while another client posts one whole Who&When run (start, 10–130 spans, end) every 150 ms: first without agent tags (the same ingest, nothing to detect), then with them (${ended.length} traces, each detected in the server's worker thread).`,
        `Detectors per trace: durationMs stored with each of those ${durations.length} traces (time in the worker, median ${(percentile(sorted, 0.5) / 1000).toFixed(1)} ms, max ${(sorted.at(-1)! / 1000).toFixed(1)} ms).`,
      ],
      rows: [
        stats('ack latency, ingest alone', alone),
        stats('ack latency, while untagged runs end (no detection)', plain),
        stats('ack latency, while tagged runs end and are detected', loaded, { tracesDetected: durations.length }),
        stats('detectors per Who&When trace (in the worker)', durations),
      ],
      ratios: [
        { label: 'ack p50 with detections / without', value: percentile([...loaded].sort((a, b) => a - b), 0.5) / percentile([...plain].sort((a, b) => a - b), 0.5), stat: 'p50' as const },
        { label: 'ack mean with detections / without', value: loaded.reduce((a, b) => a + b, 0) / loaded.length / (plain.reduce((a, b) => a + b, 0) / plain.length), stat: 'mean' as const },
      ],
      targets: [],
    }
    return [report]
  } finally {
    await server.stop()
  }
}
