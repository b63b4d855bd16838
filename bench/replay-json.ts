// Measurement 1: replaying a non-streamed chat call. Per call: fetch(url, {POST, body}) and
// `await res.json()` of the 2 KB chat.completion.
import { count, CHAT_PATH, JSON_HEADERS, postJson, REQUEST_BODY, REQUEST_HEADERS, REQUEST_OBJECT, RESPONSE_JSON, CHAT_URL, readJson, type BenchContext } from './fixtures.ts'
import { byName, compareSubjects, ratio, rowOf, target, type MeasurementReport, type Subject } from './harness.ts'
import { retraceReplaySubjects, startMsw, startNock } from './tools.ts'

/**
 * The in-process floor: what any fetch-shaped replay must at least do. Build the `Request`
 * and read its body (a matcher needs it), build the `Response` from the stored string and
 * read it as the SDK would.
 */
export async function floorJsonCall(): Promise<void> {
  const request = new Request(CHAT_URL, { method: 'POST', headers: REQUEST_HEADERS, body: REQUEST_BODY })
  await request.text()
  await readJson(new Response(RESPONSE_JSON, { status: 200, headers: JSON_HEADERS }))
}

/** The replay subjects shared with the heap-retention run (same set-up, same call). */
export function jsonReplaySubjects(ctx: BenchContext): Record<'floor' | 'retrace' | 'retraceExplicit' | 'msw' | 'nock', Subject> {
  // ~30× slower and far from their threshold: fewer rounds and calls keep the suite short.
  const slow = { rounds: 3, iterations: count(ctx, 300), warmup: count(ctx, 100) }
  return {
    floor: { name: 'floor (Request+Response by hand)', start: async () => ({ call: floorJsonCall, stop: async () => {} }) },
    ...retraceReplaySubjects(ctx.cassettes.json, postJson),
    msw: {
      name: 'msw 3 setupServer + http.post',
      ...slow,
      start: async () =>
        startMsw(
          async ({ request }) => {
            // A matching handler reads the body, as Retrace's matcher does.
            await request.text()
            return new Response(RESPONSE_JSON, { status: 200, headers: JSON_HEADERS })
          },
          () => postJson(globalThis.fetch),
        ),
    },
    nock: {
      name: 'nock 15 .persist()',
      ...slow,
      // The body is part of the match, as in Retrace (nock compares it as parsed JSON).
      start: async () => startNock((scope) => scope.post(CHAT_PATH, REQUEST_OBJECT).reply(200, RESPONSE_JSON, JSON_HEADERS), () => postJson(globalThis.fetch)),
    },
  }
}

/**
 * Replay of the 2 KB JSON answer: the floor, Retrace through the global fetch and through
 * `cassette.fetch`, msw 3 and nock 15. Targets: Retrace ≤ 2× the floor, ≥ 5× faster than
 * msw and nock.
 */
export async function replayJson(ctx: BenchContext): Promise<MeasurementReport> {
  const s = jsonReplaySubjects(ctx)
  const results = await compareSubjects(
    [s.floor, s.retrace, s.retraceExplicit, s.msw, s.nock],
    { rounds: ctx.quick ? 1 : 9, warmup: count(ctx, 300), iterations: count(ctx, 1000) },
    ctx.log,
  )
  const floor = byName(results, s.floor.name)
  const retrace = byName(results, s.retrace.name)
  const explicit = byName(results, s.retraceExplicit.name)
  const msw = byName(results, s.msw.name)
  const nock = byName(results, s.nock.name)
  const r = {
    retraceFloor: ratio(retrace, floor),
    explicitFloor: ratio(explicit, floor),
    mswRetrace: ratio(msw, retrace),
    nockRetrace: ratio(nock, retrace),
  }
  return {
    id: 'replay-json',
    title: 'Replay, 2 KB JSON (fetch POST + res.json())',
    unit: 'µs/call',
    notes: [
      'Sequential calls; each tool started, measured and stopped in turn, rounds interleaved; figures are medians over rounds.',
      'Ratios are of the mean, computed round by round, median over rounds.',
      'Floor and Retrace: 9 rounds × (300 warm-up + 1000 timed calls). msw and nock: 3 of those rounds × (100 + 300), being ~30× slower and far from their threshold.',
      'msw’s handler reads the request body and nock matches it (as parsed JSON), as Retrace matches on it.',
    ],
    rows: results.map(rowOf),
    ratios: [
      { label: 'retrace/floor', value: r.retraceFloor, stat: 'mean' },
      { label: 'retrace(cassette.fetch)/floor', value: r.explicitFloor, stat: 'mean' },
      { label: 'msw/retrace', value: r.mswRetrace, stat: 'mean' },
      { label: 'nock/retrace', value: r.nockRetrace, stat: 'mean' },
      { label: 'retrace/floor', value: ratio(retrace, floor, 'p50'), stat: 'p50' },
      { label: 'msw/retrace', value: ratio(msw, retrace, 'p50'), stat: 'p50' },
      { label: 'nock/retrace', value: ratio(nock, retrace, 'p50'), stat: 'p50' },
    ],
    targets: [
      target('retrace/floor (global fetch)', r.retraceFloor, '<=', 2),
      target('retrace/floor (cassette.fetch)', r.explicitFloor, '<=', 2),
      target('msw/retrace', r.mswRetrace, '>=', 5),
      target('nock/retrace', r.nockRetrace, '>=', 5),
    ],
  }
}
