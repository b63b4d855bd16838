import { EVENTS_PATH, EventsResponseSchema, HttpErrorBodySchema, type EventsResponse } from '@retrace/protocol'
import type { Backoff } from './backoff.ts'
import { RetraceConnectionError } from './errors.ts'
import { postJson, retryAfterSeconds, type HttpOutcome, type HttpTarget } from './http-client.ts'
import type { Batch } from './outbox.ts'
import { refusalOfStatus, type ServerRefusal } from './server-refusal.ts'

// The fallback channel: while the WebSocket is down, batches are POSTed to `{baseUrl}/v1/events`,
// a few at a time, with backoff after a network error or a 5xx. The channel only sends and says
// how each batch ended; the transport decides what that means for the batch and for the run.

/** How one POSTed batch ended. */
export type HttpBatchOutcome =
  /** Stored (2xx), with the server's counts. */
  | { kind: 'delivered'; ack: Pick<EventsResponse, 'accepted' | 'duplicates' | 'rejected'> }
  /** The batch itself was refused (400, 413, 422): resending it cannot help. */
  | { kind: 'rejected'; message: string }
  /** The client was refused (401/403, 402, 429): the batch waits to be resent. */
  | { kind: 'refused'; refusal: ServerRefusal }
  /** Network error or another status: the batch waits, and the channel backs off. */
  | { kind: 'failed'; error: RetraceConnectionError }

export interface HttpChannelOptions {
  target: HttpTarget
  requestTimeoutMs: number
  /** Batches in flight at most. */
  concurrency: number
  /** Delay before the next request after a failure. */
  backoff: Backoff
  /** Called once per batch sent, when its request ends. */
  onOutcome: (batch: Batch, outcome: HttpBatchOutcome) => void
  /** Called when the backoff delay is over: the channel can take batches again. */
  onReady: () => void
}

/**
 * POSTs batches to the events endpoint, `concurrency` at a time, backing off after failures.
 *
 * @example
 * import { createServer } from 'node:http'
 * import type { AddressInfo } from 'node:net'
 * import { createBackoff } from './backoff.ts'
 * import { createAgent } from './http-client.ts'
 * import type { Batch } from './outbox.ts'
 * // A stand-in for the server's POST /v1/events, out of credits.
 * const server = createServer((_req, res) => res.writeHead(402, { 'retry-after': '60' }).end('{"code":"credits_exhausted","message":"quota reached"}'))
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
 * const outcome = await new Promise((resolve) => {
 *   const channel = new HttpChannel({ target: { baseUrl, apiKey: 'rt_test', agent: createAgent(baseUrl) }, requestTimeoutMs: 2_000, concurrency: 2, backoff: createBackoff(), onOutcome: (_batch, result) => resolve(result), onReady: () => {} })
 *   if (channel.canSend()) channel.send({ id: 'b1', eventCount: 1, frame: Buffer.from('{"type":"batch","batchId":"b1","events":[]}\n') } as Batch)
 * })
 * outcome // → { kind: 'refused', refusal: { kind: 'credits', retryAfterSeconds: 60, message: 'quota reached' } }
 * server.close()
 */
export class HttpChannel {
  readonly #options: HttpChannelOptions
  #inFlight = 0
  #retryAt = 0
  #retryTimer: NodeJS.Timeout | undefined

  constructor(options: HttpChannelOptions) {
    this.#options = options
  }

  /**
   * Whether a batch can be sent now: not backing off, and fewer than `concurrency` in flight.
   * While backing off, `onReady` is scheduled for the end of the delay.
   */
  canSend(): boolean {
    const wait = this.#retryAt - Date.now()
    if (wait > 0) {
      this.#retryTimer ??= this.#readyAfter(wait)
      return false
    }
    return this.#inFlight < this.#options.concurrency
  }

  /** POSTs the batch's frame; `onOutcome` follows exactly once. */
  send(batch: Batch): void {
    this.#inFlight++
    const { target, requestTimeoutMs } = this.#options
    postJson(target, EVENTS_PATH, batch.frame!, requestTimeoutMs, (outcome) => {
      this.#inFlight--
      this.#options.onOutcome(batch, this.#interpret(batch, outcome))
    })
  }

  /** Cancels a scheduled `onReady`. Requests in flight still report their outcome. */
  close(): void {
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
  }

  #interpret(batch: Batch, outcome: HttpOutcome): HttpBatchOutcome {
    if (outcome.kind === 'network') {
      return this.#failed(new RetraceConnectionError(`Could not reach ${this.#options.target.baseUrl}: ${outcome.error.message}`, { cause: outcome.error }))
    }
    const { status, headers, body } = outcome
    if (status >= 200 && status < 300) {
      this.#options.backoff.reset()
      this.#retryAt = 0
      return { kind: 'delivered', ack: parseEventsResponse(body, batch.eventCount) }
    }
    const details = parseErrorBody(body)
    const said = details.message ? `: ${details.message}` : ''
    if (status === 400 || status === 413 || status === 422) return { kind: 'rejected', message: `The server refused batch ${batch.id} (HTTP ${status}${said}).` }
    const refusal = refusalOfStatus(status, { retryAfterSeconds: retryAfterSeconds(headers['retry-after'], details.retryAfterSeconds), message: details.message })
    if (refusal) return { kind: 'refused', refusal }
    return this.#failed(new RetraceConnectionError(`The Retrace server answered HTTP ${status}${said}; retrying.`))
  }

  #failed(error: RetraceConnectionError): HttpBatchOutcome {
    this.#retryAt = Date.now() + this.#options.backoff.next()
    return { kind: 'failed', error }
  }

  #readyAfter(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#options.onReady()
    }, ms)
    timer.unref()
    return timer
  }
}

function parseEventsResponse(body: string, eventCount: number): Pick<EventsResponse, 'accepted' | 'duplicates' | 'rejected'> {
  try {
    const parsed = EventsResponseSchema.safeParse(JSON.parse(body))
    if (parsed.success) return parsed.data
  } catch {
    // A 2xx without the counts still means stored.
  }
  return { accepted: eventCount, duplicates: 0 }
}

function parseErrorBody(body: string): { message?: string | undefined; retryAfterSeconds?: number | undefined } {
  try {
    const parsed = HttpErrorBodySchema.safeParse(JSON.parse(body))
    if (parsed.success) return parsed.data
  } catch {
    // Not JSON: the status alone decides.
  }
  return {}
}
