import { isUsageOnlyChunk } from '../../recording/stream-usage-injection.ts'
import { serializeSseEvent } from '@retrace/cassettes'
import { headerRecord } from '../captured-request.ts'
import type { ExchangeRecording } from '../glossary.ts'

const encoder = new TextEncoder()

/**
 * Hands a live response to the caller while recording it. The body is read eagerly by one
 * pump that records each chunk as it arrives (with its time) and passes it on, so the
 * recording completes even if the caller reads slowly; if the caller cancels, the live
 * body is cancelled too (no generation is paid for after the caller stopped) and the
 * recording says `aborted`.
 *
 * With `hideUsageChunk` (usage was asked for on the wire by the recorder, not by the caller)
 * the caller gets the stream re-framed event by event, without the usage-only chunk.
 *
 * @example
 * return recordFetchResponse(await originalFetch(input, init), slot, false)
 */
export function recordFetchResponse(response: Response, slot: ExchangeRecording, hideUsageChunk: boolean): Response {
  let callerStream: ReadableStreamDefaultController<Uint8Array> | undefined
  let cancelled = false
  const recorder = slot.responseStarted(
    response.status,
    response.statusText,
    headerRecord(response.headers),
    hideUsageChunk ? (event) => !isUsageOnlyChunk(event) && callerStream?.enqueue(encoder.encode(serializeSseEvent(event))) : undefined,
  )
  if (!response.body) {
    slot.finish()
    return response
  }
  const reader = response.body.getReader()
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        callerStream = controller
      },
      cancel(reason) {
        cancelled = true
        recorder.fail('aborted', reason ?? new Error('The caller cancelled the body.'))
        slot.finish()
        return reader.cancel(reason)
      },
    },
    // The pump never waits for the caller: queue whatever arrives.
    { highWaterMark: Number.POSITIVE_INFINITY },
  )
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        recorder.chunk(value)
        if (!cancelled && !hideUsageChunk) callerStream!.enqueue(value)
      }
      slot.finish()
      if (!cancelled) callerStream!.close()
    } catch (error) {
      recorder.fail(isAbort(error) ? 'aborted' : 'error', error)
      slot.finish()
      if (!cancelled) callerStream!.error(error)
    }
  })()
  const recorded = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
  Object.defineProperty(recorded, 'url', { value: response.url })
  return recorded
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')
}
