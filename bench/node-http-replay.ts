// Measurement 5: replay over node:http (what axios, got and older SDKs use): https.request
// POST, read the 2 KB JSON. Retrace vs @mswjs/interceptors ClientRequestInterceptor vs nock,
// with a real loopback server for reference.
import http from 'node:http'
import { CHAT_PATH, count, JSON_HEADERS, postJsonNodeHttp, REQUEST_OBJECT, RESPONSE_JSON, type BenchContext } from './fixtures.ts'
import { byName, compareSubjects, measureRetention, ratio, rowOf, type MeasurementReport, type Subject } from './harness.ts'
import { startClientRequestInterceptor, startNock, startRetrace } from './tools.ts'

/**
 * node:http replay: per-call time (rounds, interleaved) and then heap retained per call
 * for each mock (loopback excluded: it is only a reference for the time).
 */
export async function nodeHttpReplay(ctx: BenchContext): Promise<MeasurementReport> {
  const slow = { rounds: 2, iterations: count(ctx, 300), warmup: count(ctx, 100) }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const loopback: Subject = {
    name: 'loopback real server (reference)',
    rounds: 3,
    iterations: count(ctx, 400),
    warmup: count(ctx, 100),
    start: async () => ({ call: () => postJsonNodeHttp(ctx.server.url, agent), stop: async () => {} }),
  }
  const retrace: Subject = {
    name: 'retrace replay (https.request)',
    start: async () => {
      const run = startRetrace(ctx.cassettes.json, { mode: 'replay', allowPlaybackRepeats: true })
      return { call: () => postJsonNodeHttp(), stop: run.stop }
    },
  }
  const interceptors: Subject = {
    name: 'interceptors 0.45 ClientRequest',
    ...slow,
    start: async () =>
      startClientRequestInterceptor(
        async (request) => {
          await request.text()
          return new Response(RESPONSE_JSON, { status: 200, headers: JSON_HEADERS })
        },
        () => postJsonNodeHttp(),
      ),
  }
  const nock: Subject = {
    name: 'nock 15 .persist()',
    ...slow,
    start: async () => startNock((scope) => scope.post(CHAT_PATH, REQUEST_OBJECT).reply(200, RESPONSE_JSON, JSON_HEADERS), () => postJsonNodeHttp()),
  }
  const results = await compareSubjects(
    [loopback, retrace, interceptors, nock],
    { rounds: ctx.quick ? 1 : 5, warmup: count(ctx, 200), iterations: count(ctx, 800) },
    ctx.log,
  )
  agent.destroy()
  const rows = results.map(rowOf)
  // Retrace retains next to nothing, so it needs more calls to rise above the heap's noise;
  // the mocks retain ~25 KB a call, plain after 600.
  const calls = new Map([[retrace, count(ctx, 3000)], [interceptors, count(ctx, 600)], [nock, count(ctx, 600)]])
  for (const [subject, n] of calls) {
    const retention = await measureRetention(subject.start, { calls: n, warmup: count(ctx, 200) })
    ctx.log(`  ${subject.name.padEnd(34)} ${retention.kbPerCall.toFixed(2)} KB/call (after stop ${retention.kbPerCallAfterStop.toFixed(2)})`)
    const row = rows.find((r) => r.name === subject.name)!
    row.retainedKBPerCall = retention.kbPerCall
    row.retainedKBPerCallAfterStop = retention.kbPerCallAfterStop
  }
  const retraceResult = byName(results, retrace.name)
  return {
    id: 'node-http-replay',
    title: 'node:http replay, 2 KB JSON (https.request POST + JSON.parse)',
    unit: 'µs/call',
    notes: [
      'Retrace replays through its in-memory socket pair to an in-process http.Server (both sides use Node’s HTTP parser).',
      'Interceptors: ClientRequestInterceptor, request listener reads the body and calls controller.respondWith(new Response(json)).',
      'Retained KB/call: a separate run after the timing rounds, 3,000 calls for Retrace and 600 for each mock (it grows linearly); GC before and after.',
      'The loopback row is a real keep-alive server on 127.0.0.1, for reference only.',
    ],
    rows,
    ratios: [
      { label: 'interceptors/retrace', value: ratio(byName(results, interceptors.name), retraceResult), stat: 'mean' },
      { label: 'nock/retrace', value: ratio(byName(results, nock.name), retraceResult), stat: 'mean' },
      { label: 'loopback/retrace', value: ratio(byName(results, loopback.name), retraceResult), stat: 'mean' },
    ],
    targets: [],
  }
}
