import { AsyncResource } from 'node:async_hooks'
import { UNSTORED_HEADERS, type Interaction, type RecordedRequest, type SseEvent } from '@retrace/cassettes'
import { BodyRecorder } from '../recording/body-recorder.ts'

/**
 * One exchange being recorded. Transports report what happens (headers, body chunks, end,
 * or a network error); the slot turns it into an `Interaction` at the position the request
 * was sent in, so concurrent requests keep a stable order in the file.
 *
 * @example
 * import type { Interaction } from '@retrace/cassettes'
 * const stored: Interaction[] = []
 * const slot = new RecordingSlot({ method: 'GET', url: 'https://api.example.com/', headers: {} }, (interaction) => stored.push(interaction))
 * const body = slot.responseStarted(200, 'OK', { 'content-type': 'application/json' })
 * body.chunk(new TextEncoder().encode('{"ok":true}'))
 * slot.finish()
 * await slot.done
 * stored[0]?.response // → { status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, body: { json: { ok: true } } }
 */
export class RecordingSlot {
  readonly request: RecordedRequest
  readonly #startedAt = performance.now()
  readonly #store: (interaction: Interaction) => void
  #response: { status: number; statusText: string; headers: Record<string, string>; at: number } | undefined
  #body: BodyRecorder | undefined
  #finished = false
  readonly #done: Promise<void>
  #markDone!: () => void

  constructor(request: RecordedRequest, store: (interaction: Interaction) => void) {
    this.request = request
    // The body may finish in another async context (undici delivers bytes on a shared socket):
    // the interaction is stored in the context of the code that made the request.
    this.#store = AsyncResource.bind(store)
    this.#done = new Promise((resolve) => (this.#markDone = resolve))
  }

  /** Resolves once the exchange is complete (or given up on). */
  get done(): Promise<void> {
    return this.#done
  }

  get finished(): boolean {
    return this.#finished
  }

  /** The response headers arrived; returns the recorder its body chunks go to. */
  responseStarted(status: number, statusText: string, headers: Record<string, string>, onEvent?: (event: SseEvent) => void): BodyRecorder {
    const at = performance.now()
    const kept: Record<string, string> = {}
    for (const name of Object.keys(headers).sort()) if (!UNSTORED_HEADERS.has(name)) kept[name] = headers[name]!
    this.#response = { status, statusText, headers: kept, at }
    this.#body = new BodyRecorder(headers['content-type'], at, onEvent)
    return this.#body
  }

  /** The request failed before any response (refused, DNS, aborted early). */
  networkError(error: unknown): void {
    if (this.#finished) return
    if (this.#response) {
      this.#body!.fail(isAbort(error) ? 'aborted' : 'error', error)
      return this.finish()
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
    const failure = cause instanceof Error ? cause : new Error(String(cause))
    this.#complete({
      request: this.request,
      error: {
        message: failure.message,
        ...(failure.name && failure.name !== 'Error' ? { name: failure.name } : {}),
        ...(typeof (failure as Error & { code?: unknown }).code === 'string' ? { code: String((failure as Error & { code?: unknown }).code) } : {}),
      },
      timing: { latencyMs: this.#elapsed() },
    })
  }

  /** The body ended, cleanly or not (call `body.fail` first for the latter). */
  finish(): void {
    if (this.#finished || !this.#response) return
    const { body, end } = this.#body!.finish()
    const response = this.#response
    this.#complete({
      request: this.request,
      response: {
        status: response.status,
        ...(response.statusText ? { statusText: response.statusText } : {}),
        headers: response.headers,
        ...(body ? { body } : {}),
        ...(end ? { end } : {}),
      },
      timing: { latencyMs: Math.round(response.at - this.#startedAt), durationMs: this.#elapsed() },
    })
  }

  /** Gives up waiting (the cassette is stopping): records what arrived as cut short. */
  abandon(reason: string): void {
    if (this.#finished) return
    if (this.#response) {
      this.#body!.fail('aborted', new Error(reason))
      this.finish()
    } else this.networkError(new Error(reason))
  }

  #elapsed(): number {
    return Math.round(performance.now() - this.#startedAt)
  }

  #complete(interaction: Interaction): void {
    this.#finished = true
    this.#store(interaction)
    this.#markDone()
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')
}
