// Measurement 2: replaying a 200-event OpenAI-style stream, consumed the way the SDKs do
// (TextDecoderStream → EventSourceParserStream → JSON.parse per event). Reported per event.
import { Readable } from 'node:stream'
import {
  CHAT_PATH,
  CHAT_URL,
  consumeSse,
  count,
  postSse,
  REQUEST_HEADERS,
  SSE_EVENT_BYTES,
  SSE_EVENT_COUNT,
  SSE_HEADERS,
  SSE_REQUEST_BODY,
  SSE_REQUEST_OBJECT,
  type BenchContext,
} from './fixtures.ts'
import { byName, compareSubjects, ratio, rowOf, type MeasurementReport } from './harness.ts'
import { retraceReplaySubjects, startMsw, startNock } from './tools.ts'

/** A body stream with one chunk per event, all queued at once (what an instant replay can do at best). */
function eventStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const bytes of SSE_EVENT_BYTES) controller.enqueue(bytes)
      controller.close()
    },
  })
}

/** The floor: build and read the request, then consume an in-process stream of the events. */
async function floorSseCall(): Promise<void> {
  const request = new Request(CHAT_URL, { method: 'POST', headers: REQUEST_HEADERS, body: SSE_REQUEST_BODY })
  await request.text()
  await consumeSse(new Response(eventStream(), { status: 200, headers: SSE_HEADERS }))
}

/**
 * Streamed replay, per event: the floor, Retrace (global fetch and `cassette.fetch`), msw 3
 * (a handler returning a `Response` over a one-chunk-per-event ReadableStream) and nock 15
 * (`.reply(200, () => Readable.from(events))`, one chunk per event as well).
 */
export async function replaySse(ctx: BenchContext): Promise<MeasurementReport> {
  const slow = { rounds: 3, iterations: count(ctx, 40), warmup: count(ctx, 10) }
  const subjects = {
    floor: { name: 'floor (in-process ReadableStream)', start: async () => ({ call: floorSseCall, stop: async () => {} }) },
    ...retraceReplaySubjects(ctx.cassettes.sse, postSse),
    msw: {
      name: 'msw 3 setupServer + http.post',
      ...slow,
      start: async () =>
        startMsw(
          async ({ request }) => {
            await request.text()
            return new Response(eventStream(), { status: 200, headers: SSE_HEADERS })
          },
          () => postSse(globalThis.fetch),
        ),
    },
    nock: {
      name: 'nock 15 .persist() Readable.from',
      ...slow,
      start: async () =>
        startNock(
          (scope) => scope.post(CHAT_PATH, SSE_REQUEST_OBJECT).reply(200, () => Readable.from(SSE_EVENT_BYTES), SSE_HEADERS),
          () => postSse(globalThis.fetch),
        ),
    },
  }
  const results = await compareSubjects(
    Object.values(subjects),
    { rounds: ctx.quick ? 1 : 7, warmup: count(ctx, 20), iterations: count(ctx, 60), unitsPerCall: SSE_EVENT_COUNT },
    ctx.log,
  )
  const floor = byName(results, subjects.floor.name)
  const retrace = byName(results, subjects.retrace.name)
  return {
    id: 'replay-sse',
    title: `Replay, ${SSE_EVENT_COUNT}-event SSE stream (per event, full consume)`,
    unit: 'µs/event',
    notes: [
      'Per event = time for the whole call (fetch → last event parsed) / 200. Consumer: TextDecoderStream → eventsource-parser EventSourceParserStream → JSON.parse per event.',
      'msw: handler returns new Response(ReadableStream) enqueuing one event per chunk. nock: .reply(200, () => Readable.from(eventBuffers)), one chunk per event.',
      'No target is set for streams; the ratios are for information.',
    ],
    rows: results.map(rowOf),
    ratios: [
      { label: 'retrace/floor', value: ratio(retrace, floor), stat: 'mean' },
      { label: 'retrace(cassette.fetch)/floor', value: ratio(byName(results, subjects.retraceExplicit.name), floor), stat: 'mean' },
      { label: 'msw/retrace', value: ratio(byName(results, subjects.msw.name), retrace), stat: 'mean' },
      { label: 'nock/retrace', value: ratio(byName(results, subjects.nock.name), retrace), stat: 'mean' },
    ],
    targets: [],
  }
}
