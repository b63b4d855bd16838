import { delay, type ReplayTiming } from './replay-timing.ts'
import { bodyEndError } from './replayed-body-errors.ts'
import type { ReplaySource } from './replay-source.ts'

/**
 * Builds the fetch `Response` for a recorded interaction. Non-stream bodies take the fast
 * path (a string body, no stream machinery); server-sent events are enqueued one event per
 * chunk, either at once or at their recorded offsets; a recording that was cut short ends
 * with the same kind of error. Aborting `signal` errors the body like a real fetch.
 *
 * @example
 * import { replaySourceOf } from './replay-source.ts'
 * const interaction = { request: { method: 'GET', url: 'https://api.example.com/answer', headers: {} }, response: { status: 201, headers: { 'content-type': 'application/json' }, body: { json: { answer: 42 } } } }
 * const response = replayFetchResponse(replaySourceOf(interaction), { timing: 'instant', speed: 1 })
 * response.status // → 201
 * response.url // → 'https://api.example.com/answer'
 * await response.json() // → { answer: 42 }
 */
export function replayFetchResponse(source: ReplaySource, pacing: ReplayTiming, signal?: AbortSignal | null): Response {
  const init = { status: source.status, statusText: source.statusText, headers: source.headers }
  let response: Response
  if (!source.chunks && !source.end) {
    response = new Response(source.whole ?? null, init)
  } else {
    response = new Response(streamOf(source, pacing, signal ?? undefined), init)
  }
  // A constructed Response has an empty url; SDKs log and resolve relative links with it.
  Object.defineProperty(response, 'url', { value: source.url })
  return response
}

function streamOf(source: ReplaySource, pacing: ReplayTiming, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  const chunks = source.chunks ?? (source.whole === undefined ? [] : [{ t: 0, bytes: toBytes(source.whole) }])
  const end = source.end
  if (pacing.timing === 'instant' && !end) {
    // Everything is queued at once, one chunk per event: the consumer still sees each event
    // boundary, and no promise per event is spent on pacing. The stream closes only once
    // the queue is drained, so an abort before then still fails the unread rest, as fetch does.
    let onAbort: (() => void) | undefined
    return new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk.bytes)
        if (signal) {
          onAbort = () => controller.error(signal.reason)
          signal.addEventListener('abort', onAbort, { once: true })
        }
      },
      pull(controller) {
        if (onAbort) signal!.removeEventListener('abort', onAbort)
        controller.close()
      },
      cancel() {
        if (onAbort) signal!.removeEventListener('abort', onAbort)
      },
    })
  }
  // Paced, or ending in an error: pull one chunk at a time, because erroring a stream
  // discards what is still queued and the consumer must see every recorded event first.
  const abort = new AbortController()
  const onAbort = () => abort.abort(signal!.reason)
  signal?.addEventListener('abort', onAbort, { once: true })
  let index = 0
  let elapsed = 0
  return new ReadableStream({
    async pull(controller) {
      try {
        if (index < chunks.length) {
          const chunk = chunks[index++]!
          if (pacing.timing === 'recorded') {
            await delay((chunk.t - elapsed) / pacing.speed, abort.signal)
            elapsed = chunk.t
          } else if (abort.signal.aborted) throw abort.signal.reason
          controller.enqueue(chunk.bytes)
          return
        }
        signal?.removeEventListener('abort', onAbort)
        if (end) {
          if (pacing.timing === 'recorded') await delay((end.t - elapsed) / pacing.speed, abort.signal)
          controller.error(bodyEndError(end))
        } else controller.close()
      } catch (error) {
        controller.error(error)
      }
    },
    cancel() {
      signal?.removeEventListener('abort', onAbort)
      abort.abort()
    },
  })
}

const encoder = new TextEncoder()
function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body
}
