import { createParser, type EventSourceParser } from 'eventsource-parser'
import { jsonDepthExceeds, type Body, type BodyEnd, type JsonValue, type SseEvent } from '@retrace/cassettes'
import { storeBody } from './body-codec.ts'
import { isTerminalEvent } from './terminal-events.ts'

/**
 * Collects a response body as it arrives, chunk by chunk, from any transport. Server-sent
 * events are parsed on the fly so each keeps the time it arrived; other bodies are joined
 * at the end and stored as JSON, text or base64.
 *
 * @example
 * const recorder = new BodyRecorder('text/event-stream', performance.now())
 * recorder.chunk(bytes)
 * const { body, end } = recorder.finish()
 */
export class BodyRecorder {
  readonly #contentType: string | undefined
  readonly #startedAt: number
  readonly #chunks: Uint8Array[] = []
  readonly #events: SseEvent[] | undefined
  readonly #parser: EventSourceParser | undefined
  readonly #decoder = new TextDecoder()
  #end: BodyEnd | undefined
  #finished = false

  /**
   * @param onEvent called with each server-sent event as it is parsed, for callers that
   * re-emit a filtered stream.
   */
  constructor(contentType: string | undefined, startedAt: number, onEvent?: (event: SseEvent) => void) {
    this.#contentType = contentType
    this.#startedAt = startedAt
    if (contentType?.toLowerCase().includes('text/event-stream')) {
      const events: SseEvent[] = []
      this.#events = events
      const add = (event: SseEvent) => {
        events.push(event)
        onEvent?.(event)
      }
      this.#parser = createParser({
        onEvent: (message) => add(sseEvent(this.#elapsed(), message)),
        onComment: (comment) => add({ t: this.#elapsed(), comment: comment.trim() }),
        onRetry: (retry) => add({ t: this.#elapsed(), retry }),
      })
    }
  }

  #elapsed(): number {
    return Math.max(0, Math.round(performance.now() - this.#startedAt))
  }

  /** Adds a chunk of (already decoded) body bytes. */
  chunk(bytes: Uint8Array): void {
    if (this.#finished) return
    if (this.#parser) this.#parser.feed(this.#decoder.decode(bytes, { stream: true }))
    else this.#chunks.push(bytes)
  }

  /** Marks the body as cut short: `aborted` by the caller, or an `error` upstream. */
  fail(outcome: BodyEnd['outcome'], error: unknown): void {
    if (this.#finished || this.#end) return
    const message = error instanceof Error ? error.message : error === undefined ? undefined : String(error)
    this.#end = { outcome, t: this.#elapsed(), ...(message ? { message } : {}) }
  }

  /** The stored body and, when it did not end cleanly, how it ended. */
  finish(): { body: Body | undefined; end: BodyEnd | undefined } {
    this.#finished = true
    if (this.#events) {
      this.#parser!.feed(this.#decoder.decode())
      // SDK parsers deliver a last event even without its closing blank line; so do we.
      this.#parser!.reset({ consume: true })
      const last = this.#events.at(-1)
      const end = last && isTerminalEvent(last) ? undefined : this.#end
      return { body: this.#events.length > 0 || !end ? { sse: this.#events } : undefined, end }
    }
    const bytes = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks)
    return { body: storeBody(bytes, this.#contentType), end: this.#end }
  }
}

/**
 * A parsed server-sent event as stored: JSON objects and arrays become `data` (readable in a
 * diff), anything else stays `text` (OpenAI's `[DONE]`, or JSON nested too deep to store).
 *
 * @example
 * sseEvent(12, { event: 'ping', data: '{"type":"ping"}' }) // { t: 12, event: 'ping', data: { type: 'ping' } }
 */
export function sseEvent(t: number, message: { id?: string | undefined; event?: string | undefined; data: string }): SseEvent {
  const event: SseEvent = { t }
  if (message.event !== undefined) event.event = message.event
  if (message.id !== undefined) event.id = message.id
  const data = message.data
  if (/^\s*[[{]/.test(data)) {
    try {
      const json = JSON.parse(data) as JsonValue
      // Nested too deep to store as JSON: the text is kept, and replays the same.
      if (!jsonDepthExceeds(json)) {
        event.data = json
        return event
      }
    } catch {
      // not JSON after all: keep it as text
    }
  }
  event.text = data
  return event
}
