import { delay, type ReplayTiming } from '../../replay/replay-timing.ts'
import { bodyEndError, networkErrorOf } from '../../replay/replayed-body-errors.ts'
import type { ReplaySource } from '../../replay/replay-source.ts'
import { isModernHandler, type DispatchController, type DispatchHandler } from './dispatcher-types.ts'

/** A controller for replayed dispatches: abort ends the exchange, pause/resume are honoured. */
class ReplayController implements DispatchController {
  aborted = false
  paused = false
  reason: Error | null = null
  /** undici's own fetch reads the response headers from here, not from the hook's argument. */
  rawHeaders: Buffer[] = []
  rawTrailers: Buffer[] = []
  #resumed: (() => void) | undefined
  readonly #onAbort: (reason: Error) => void

  constructor(onAbort: (reason: Error) => void) {
    this.#onAbort = onAbort
  }

  abort(reason?: Error): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason ?? new DOMException('The operation was aborted.', 'AbortError')
    this.#resumed?.()
    this.#onAbort(this.reason)
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
    this.#resumed?.()
    this.#resumed = undefined
  }

  /** Waits while the consumer has paused the body. */
  whilePaused(): Promise<void> | undefined {
    if (!this.paused || this.aborted) return undefined
    return new Promise((resolve) => (this.#resumed = resolve))
  }
}

/**
 * Serves a recorded response to an undici dispatch handler, legacy (Node's fetch) or modern
 * (undici ≥ 7), with the same headers, chunk boundaries, pacing and ending as recorded.
 *
 * @example
 * import { replaySourceOf } from '../../replay/replay-source.ts'
 * const interaction = { request: { method: 'GET', url: 'https://api.example.com/', headers: {} }, response: { status: 200, headers: { 'content-type': 'text/plain' }, body: { text: 'hi' } } }
 * const seen: string[] = []
 * await replayToHandler(
 *   { onResponseStart: (_c, status) => void seen.push(`status ${status}`), onResponseData: (_c, chunk) => void seen.push(chunk.toString()), onResponseEnd: () => void seen.push('end') },
 *   replaySourceOf(interaction),
 *   { timing: 'instant', speed: 1 },
 * )
 * seen // → ['status 200', 'hi', 'end']
 */
export async function replayToHandler(handler: DispatchHandler, source: ReplaySource, pacing: ReplayTiming): Promise<void> {
  const modern = isModernHandler(handler)
  let failed = false
  const fail = (error: Error) => {
    if (failed) return
    failed = true
    if (modern) handler.onResponseError?.(controller, error)
    else handler.onError?.(error)
  }
  const controller = new ReplayController(fail)
  if (modern) handler.onRequestStart?.(controller, {})
  else handler.onConnect?.((reason) => controller.abort(reason))
  if (controller.aborted) return
  if (pacing.timing === 'recorded') await delay(source.latencyMs / pacing.speed)
  if (source.networkError) return fail((networkErrorOf(source.networkError).cause as Error) ?? new Error(source.networkError.message))

  const raw = source.headers.flatMap(([name, value]) => [Buffer.from(name), Buffer.from(value)])
  if (modern) {
    controller.rawHeaders = raw
    handler.onResponseStart?.(controller, source.status, Object.fromEntries(source.headers), source.statusText)
  } else if (handler.onHeaders?.(source.status, raw, () => controller.resume(), source.statusText) === false) controller.pause()

  const chunks = source.chunks ?? (source.whole === undefined || source.whole.length === 0 ? [] : [{ t: 0, bytes: toBuffer(source.whole) }])
  let elapsed = 0
  for (const chunk of chunks) {
    await controller.whilePaused()
    if (controller.aborted) return
    if (pacing.timing === 'recorded') {
      await delay((chunk.t - elapsed) / pacing.speed)
      elapsed = chunk.t
    }
    const bytes = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength)
    if (modern) handler.onResponseData?.(controller, bytes)
    else if (handler.onData?.(bytes) === false) controller.pause()
  }
  await controller.whilePaused()
  if (controller.aborted) return
  if (source.end) {
    if (pacing.timing === 'recorded') await delay((source.end.t - elapsed) / pacing.speed)
    return fail(bodyEndError(source.end))
  }
  if (modern) handler.onResponseEnd?.(controller, {})
  else handler.onComplete?.([])
}

/**
 * Fails a dispatch with an error (a replay refusal, or a failure reading the request).
 *
 * @example
 * const errors: string[] = []
 * failHandler({ onError: (error) => void errors.push(error.message) }, new Error('no recorded answer'))
 * errors // → ['no recorded answer']
 */
export function failHandler(handler: DispatchHandler, error: Error): void {
  if (isModernHandler(handler)) {
    const controller = new ReplayController(() => {})
    handler.onRequestStart?.(controller, {})
    handler.onResponseError?.(controller, error)
  } else {
    handler.onConnect?.(() => {})
    handler.onError?.(error)
  }
}

function toBuffer(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}
