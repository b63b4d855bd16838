import type { EventSourceParser } from 'eventsource-parser'
import type { Body, BodyEnd, SseEvent } from '@retrace/cassettes'
import { storeBody } from './body-codec.ts'
import { endSseStream, storedEventParser } from './sse-events.ts'
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
      this.#parser = storedEventParser(() => this.#elapsed(), add)
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
      // A cut-short stream's half-received last line is no event; a clean end keeps the last one.
      if (this.#end) this.#parser!.reset()
      else endSseStream(this.#parser!)
      const last = this.#events.at(-1)
      const end = last && isTerminalEvent(last) ? undefined : this.#end
      return { body: this.#events.length > 0 || !end ? { sse: this.#events } : undefined, end }
    }
    const bytes = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks)
    return { body: storeBody(bytes, this.#contentType), end: this.#end }
  }
}
