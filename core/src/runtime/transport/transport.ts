import { randomBytes } from 'node:crypto'
import type http from 'node:http'
import { RetraceError } from '@retrace/cassettes'
import { withInterceptionRestored } from '../../capture/session-routing.ts'
import {
  PROTOCOL_VERSION,
  type AckMessage,
  type ErrorMessage,
  type EventsResponse,
  type PolicyCheck,
  type PolicyVerdict,
  type RegisterMessage,
  type RejectedEvent,
  type ResumeMessage,
  type ServerMessage,
  type WireEvent,
} from '@retrace/protocol'
import { createBackoff } from './backoff.ts'
import { encodeBatches, traceIdOf } from './batch-encoder.ts'
import {
  RetraceAuthError,
  RetraceBatchRejectedError,
  RetraceCreditsExhaustedError,
  RetraceRateLimitError,
  RetraceSerializationError,
  type RetraceConnectionError,
} from './errors.ts'
import { HttpChannel, type HttpBatchOutcome } from './http-channel.ts'
import { createAgent } from './http-client.ts'
import { Outbox, type Batch } from './outbox.ts'
import { checkPolicy } from './policy-check.ts'
import { refusalOfMessage, refusalOfStatus, type ServerRefusal } from './server-refusal.ts'
import { resolveTransportOptions, type ResolvedTransportOptions, type TransportOptions } from './transport-options.ts'
import { WebSocketChannel, type ChannelDrop } from './websocket-channel.ts'

/**
 * Where the transport is:
 * - `connecting`: first WebSocket attempt in progress (batches wait for it, in the journal);
 * - `websocket`: streaming over the WebSocket;
 * - `http`: the WebSocket is down, batches are posted while it is retried in the background;
 * - `paused`: the server asked for a pause (429, 402);
 * - `stopped`: the server refused the API key; nothing more is sent by this process;
 * - `closed`: `close()` was called.
 */
export type TransportState = 'connecting' | 'websocket' | 'http' | 'paused' | 'stopped' | 'closed'

/** What `flush` achieved. */
export interface FlushResult {
  /** Everything sent before the flush was acknowledged. */
  complete: boolean
  /** Events acknowledged while the flush waited. */
  acknowledged: number
  /** Events not yet acknowledged, sent before or during the flush. */
  pending: number
  /** Of `pending`, events safe in the journal: a later process delivers them if this one ends. */
  journaled: number
}

/** Counters since the transport was created. */
export interface TransportStats {
  /** Events accepted by `send`. */
  sent: number
  /** Events the server acknowledged (duplicates included). */
  acknowledged: number
  /** Acknowledged events the server already had (redeliveries). */
  duplicates: number
  /** Events written to the journal. */
  journaled: number
  /** Events found in journals of earlier processes and queued for delivery. */
  recovered: number
  /** Events lost: dropped from a full buffer with no journal, unserialisable, refused by the server, or sent after a stop. */
  dropped: number
  /** Events not yet acknowledged (queued, waiting or in flight). */
  pending: number
  /** Events held in memory. */
  buffered: number
  /** Batches acknowledged, per channel. */
  batches: { websocket: number; http: number }
  /** WebSocket connections opened after the first. */
  reconnects: number
}

/** The client side of the Retrace wire protocol. See `createTransport`. */
export interface Transport {
  /** Queues an event. Never blocks, never throws; see `createTransport`. */
  send(event: WireEvent): void
  /** Waits until every event sent so far is acknowledged, or `timeoutMs` (default 5 s) passes. Never rejects. */
  flush(timeoutMs?: number, options?: FlushOptions): Promise<FlushResult>
  /** Flushes (up to `timeoutMs`, default 2 s), then closes the connection and the journal. Never rejects. */
  close(timeoutMs?: number): Promise<void>
  /**
   * Journals every queued event now, synchronously, and tidies the journal (for
   * `process.on('exit')`, where nothing asynchronous runs any more).
   */
  persist(): void
  /** Listens for `resume` commands; returns the unsubscribe function. */
  onMessage(listener: (message: ResumeMessage) => void): () => void
  /** Whether events of the trace were lost (put `lossy: true` on its `trace.end`). */
  isLossy(traceId: string): boolean
  /** Sends `register` again (the list of resumable functions changed). */
  updateRegistration(): void
  /** `checkPolicy` against this transport's server, on its connection pool. */
  checkPolicy(request: PolicyCheck, timeoutMs?: number): Promise<PolicyVerdict | undefined>
  readonly state: TransportState
  readonly stats: TransportStats
}

/** How a flush waits. */
export interface FlushOptions {
  /**
   * Stop waiting as soon as the server is found unreachable (the events stay journaled for the
   * next start). For exits: waiting out the timeout for a server that is down only delays them.
   */
  untilUnreachable?: boolean
}

interface FlushWaiter {
  ids: Set<string>
  acknowledgedBefore: number
  timer: NodeJS.Timeout
  resolve: (result: FlushResult) => void
  untilUnreachable: boolean
}

/**
 * Creates the transport that streams wire events to a Retrace API server.
 *
 * - `send` only queues: events are cut into batches every `batchIntervalMs` or
 *   `maxBatchEvents`, serialised once, appended to the on-disk journal, then sent over a
 *   WebSocket to `{baseUrl}/v1/stream` (key in the upgrade's `x-retrace-key` header).
 * - While the WebSocket is down, batches are POSTed to `{baseUrl}/v1/events`; the WebSocket
 *   is retried in the background with exponential backoff and jitter, and used again as soon
 *   as it is back.
 * - A batch leaves the journal when acknowledged; unacknowledged batches are resent after a
 *   reconnect (the server dedupes by event id). What is still pending when the process ends
 *   (even by `kill -9`) is delivered by the next transport created for the same destination.
 * - Server refusals go to `onError`, never to the agent: 401 stops sending, 402 and 429 pause,
 *   5xx and network errors retry with backoff.
 *
 * Journals left by dead processes are claimed synchronously here; an unreachable server is
 * fine (nothing here waits for the network, and no socket or timer keeps the process alive).
 * Throws `RetraceConfigError` only for a malformed base URL.
 *
 * @example
 * import { createServer } from 'node:http'
 * import type { AddressInfo } from 'node:net'
 * // A stand-in for the Retrace server's POST /v1/events (PROTOCOL.md in @retrace/protocol).
 * const received: string[] = []
 * const server = createServer((req, res) => {
 *   let body = ''
 *   req.on('data', (chunk) => (body += chunk)).on('end', () => {
 *     const batch = JSON.parse(body) as { events: Array<{ id: string }> }
 *     received.push(...batch.events.map((event) => event.id))
 *     res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: batch.events.length, duplicates: 0 }))
 *   })
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const transport = createTransport({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'rt_test', channels: 'http', journalDir: false, onError: console.warn })
 * transport.send({ type: 'trace.start', id: 't1:start', trace: { id: 't1', name: 'agent', startedAt: new Date().toISOString() } })
 * await transport.flush(2_000) // → { complete: true, acknowledged: 1, pending: 0, journaled: 0 }
 * received // → ['t1:start']
 * await transport.close()
 * server.close()
 */
export function createTransport(options: TransportOptions): Transport {
  return new RetraceTransport(resolveTransportOptions(options))
}

// The socket and the HTTP requests are opened inside `withoutInterception`, and their callbacks
// inherit that bypass; the caller's code (resume listeners, onError, onLossy) runs through
// `withInterceptionRestored`, or a resumed agent's LLM calls would go out live and uncaptured.
class RetraceTransport implements Transport {
  readonly #options: ResolvedTransportOptions
  readonly #instanceId = randomBytes(6).toString('hex')
  #batchSeq = 0
  /** Events not yet cut into batches. */
  #queue: WireEvent[] = []
  #cutTimer: NodeJS.Timeout | undefined
  #cutImmediate: NodeJS.Immediate | undefined
  readonly #outbox: Outbox
  readonly #channel: WebSocketChannel
  readonly #http: HttpChannel
  readonly #agent: http.Agent
  /** Batches written to the WebSocket and not yet acknowledged, in send order. */
  readonly #wsInFlight = new Map<string, Batch>()
  #ackTimer: NodeJS.Timeout | undefined
  /** The WebSocket has failed since it was last open: use HTTP meanwhile. */
  #useHttp = false
  /** A connection-level error from the server on the current socket (so its close code is not handled twice). */
  #connectionErrorHandled = false
  #opened = 0
  #pausedUntil = 0
  #pauseTimer: NodeJS.Timeout | undefined
  /** Looks for journals of processes that died since we started (a long-lived process outlives many). */
  #rescanTimer: NodeJS.Timeout | undefined
  /** An outage was reported to onError and no delivery succeeded since. */
  #inOutage = false
  #stopped = false
  #closing: Promise<void> | undefined
  #closed = false
  readonly #lossy = new Set<string>()
  readonly #listeners = new Set<(message: ResumeMessage) => void>()
  readonly #waiters = new Set<FlushWaiter>()
  readonly #stats = { sent: 0, acknowledged: 0, duplicates: 0, journaled: 0, recovered: 0, dropped: 0, websocket: 0, http: 0 }

  constructor(options: ResolvedTransportOptions) {
    this.#options = options
    this.#agent = createAgent(options.baseUrl)
    this.#outbox = new Outbox({
      journalDir: options.journalDir,
      baseUrl: options.baseUrl,
      projectId: options.projectId,
      maxBufferedEvents: options.maxBufferedEvents,
      maxJournalBytes: options.maxJournalBytes,
      orphanAfterMs: options.orphanAfterMs,
      maxJournalAgeMs: options.maxJournalAgeMs,
      onJournalError: (error) => this.#report(error),
      onDropped: (traces, events) => {
        this.#stats.dropped += events
        for (const [traceId, count] of traces) this.#markLossy(traceId, count)
      },
      // More orphans may be waiting (claims are capped): look again once these are delivered.
      onRecoveredDrained: () => setImmediate(() => this.#rescan()).unref(),
    })
    this.#channel = new WebSocketChannel({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      backoff: createBackoff(options.backoff),
      compression: options.compression,
      onOpen: () => this.#onOpen(),
      onMessage: (message) => this.#onServerMessage(message),
      onDrop: (drop) => this.#onDrop(drop),
    })
    this.#http = new HttpChannel({
      target: { baseUrl: options.baseUrl, apiKey: options.apiKey, agent: this.#agent },
      requestTimeoutMs: options.requestTimeoutMs,
      concurrency: options.httpConcurrency,
      backoff: createBackoff(options.backoff),
      onOutcome: (batch, outcome) => {
        this.#onHttpOutcome(batch, outcome)
        this.#outbox.release(batch)
        this.#pump()
      },
      onReady: () => this.#pump(),
    })
    this.#stats.recovered = this.#outbox.recover()
    if (options.journalDir) {
      this.#rescanTimer = setInterval(() => this.#rescan(), options.orphanAfterMs / 2)
      this.#rescanTimer.unref()
    }
    if (options.channels === 'http') this.#useHttp = true
    else this.#channel.start()
  }

  get state(): TransportState {
    if (this.#closing || this.#closed) return 'closed'
    if (this.#stopped) return 'stopped'
    if (this.#pausedUntil > Date.now()) return 'paused'
    if (this.#channel.state === 'open') return 'websocket'
    return this.#useHttp ? 'http' : 'connecting'
  }

  get stats(): TransportStats {
    const stats = this.#stats
    return {
      sent: stats.sent,
      acknowledged: stats.acknowledged,
      duplicates: stats.duplicates,
      journaled: stats.journaled,
      recovered: stats.recovered,
      dropped: stats.dropped,
      pending: this.#queue.length + this.#outbox.outstandingEvents,
      buffered: this.#queue.length + this.#outbox.residentEvents,
      batches: { websocket: stats.websocket, http: stats.http },
      reconnects: Math.max(0, this.#opened - 1),
    }
  }

  send(event: WireEvent): void {
    // While closing, events are still taken: the final cut journals them.
    if (this.#stopped || this.#closed) {
      this.#stats.dropped++
      return
    }
    const queue = this.#queue
    queue.push(event)
    this.#stats.sent++
    if (queue.length >= this.#options.maxBufferedEvents) {
      // A caller that never yields: cut now so that memory stays bounded.
      this.#cut()
    } else if (queue.length >= this.#options.maxBatchEvents) {
      this.#cutImmediate ??= setImmediate(() => this.#cut())
    } else if (!this.#cutTimer) {
      this.#cutTimer = setTimeout(() => this.#cut(), this.#options.batchIntervalMs)
      this.#cutTimer.unref()
    }
  }

  flush(timeoutMs = 5_000, options: FlushOptions = {}): Promise<FlushResult> {
    try {
      this.#cut()
    } catch {
      // #cut never throws; belt and braces for the never-rejects promise below.
    }
    const ids = this.#outbox.outstandingIds()
    const acknowledgedBefore = this.#stats.acknowledged
    const untilUnreachable = options.untilUnreachable === true
    if (ids.size === 0 || this.#stopped || this.#closed || (untilUnreachable && this.#inOutage)) return Promise.resolve(this.#flushResult(ids.size === 0, acknowledgedBefore))
    return new Promise((resolve) => {
      // Not unref'd: a flush keeps the process alive until it is done or times out.
      const timer = setTimeout(() => this.#finishWaiter(waiter, false), timeoutMs)
      const waiter: FlushWaiter = { ids, acknowledgedBefore, timer, resolve, untilUnreachable }
      this.#waiters.add(waiter)
      this.#pump()
    })
  }

  close(timeoutMs = 2_000): Promise<void> {
    this.#closing ??= this.flush(timeoutMs).then(
      () => this.#shutdown(),
      () => this.#shutdown(),
    )
    return this.#closing
  }

  persist(): void {
    this.#cut()
    if (!this.#closed) this.#outbox.sync()
  }

  onMessage(listener: (message: ResumeMessage) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  isLossy(traceId: string): boolean {
    return this.#lossy.has(traceId)
  }

  updateRegistration(): void {
    if (this.#channel.state === 'open') this.#channel.send(this.#registerFrame())
  }

  checkPolicy(request: PolicyCheck, timeoutMs?: number): Promise<PolicyVerdict | undefined> {
    if (this.#stopped || this.#closed) return Promise.resolve(undefined)
    return checkPolicy(request, { baseUrl: this.#options.baseUrl, apiKey: this.#options.apiKey, agent: this.#agent, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
  }

  #rescan(): void {
    if (this.#stopped || this.#closed) return
    const recovered = this.#outbox.recover()
    if (recovered === 0) return
    this.#stats.recovered += recovered
    this.#pump()
  }

  /** Cuts the queued events into batches, journals them and sends what the channels allow. Never throws. */
  #cut(): void {
    clearTimeout(this.#cutTimer)
    this.#cutTimer = undefined
    if (this.#cutImmediate) clearImmediate(this.#cutImmediate)
    this.#cutImmediate = undefined
    if (this.#queue.length === 0 || this.#closed) return
    const events = this.#queue
    this.#queue = []
    try {
      const batches = encodeBatches(events, {
        maxEvents: this.#options.maxBatchEvents,
        maxBytes: this.#options.maxBatchBytes,
        nextId: () => `${this.#instanceId}-${(++this.#batchSeq).toString(36)}`,
        isLossy: (traceId) => this.#lossy.has(traceId),
        onUnserializable: (event, error) => {
          this.#stats.dropped++
          const traceId = traceIdOf(event)
          if (traceId !== undefined) this.#markLossy(traceId, 1)
          this.#report(new RetraceSerializationError(eventIdOf(event), { cause: error }))
        },
      })
      this.#stats.journaled += this.#outbox.add(batches)
    } catch (error) {
      // Unreachable in practice (encoding and journaling catch their own failures), but a
      // transport bug must cost events, not the agent.
      this.#stats.dropped += events.length
      this.#report(new RetraceError('RETRACE_TRANSPORT', `Internal transport error: ${(error as Error).message}`, { cause: error }))
    }
    this.#pump()
  }

  /** Sends waiting batches over whichever channel is usable, up to its window. */
  #pump(): void {
    if (this.#stopped || this.#closed) return
    // A timer may fire a millisecond early: wake again at the end rather than stall.
    if (this.#pausedUntil > Date.now()) {
      if (!this.#pauseTimer) this.#wakeAfterPause()
      return
    }
    if (this.#channel.state === 'open') {
      while (this.#wsInFlight.size < this.#options.maxInFlightBatches) {
        const batch = this.#outbox.next()
        if (!batch) return
        this.#sendOverWebSocket(batch)
      }
      return
    }
    if (!this.#useHttp) return // The first connect attempt is still in progress.
    while (this.#http.canSend()) {
      const batch = this.#outbox.next()
      if (!batch) return
      this.#http.send(batch)
    }
  }

  #sendOverWebSocket(batch: Batch): void {
    this.#wsInFlight.set(batch.id, batch)
    const sent = this.#channel.send(batch.frame!, (error) => {
      if (!error) this.#outbox.release(batch)
    })
    if (!sent) {
      this.#wsInFlight.delete(batch.id)
      this.#outbox.requeue([batch])
      return
    }
    if (!this.#ackTimer) this.#armAckTimer()
  }

  #armAckTimer(): void {
    clearTimeout(this.#ackTimer)
    this.#ackTimer = undefined
    if (this.#wsInFlight.size === 0) return
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined
      // Acks stopped coming: take the connection as dead; the drop requeues its batches.
      if (this.#wsInFlight.size > 0) this.#channel.drop()
    }, this.#options.ackTimeoutMs)
    this.#ackTimer.unref()
  }

  #onHttpOutcome(batch: Batch, outcome: HttpBatchOutcome): void {
    if (outcome.kind === 'delivered') return this.#delivered(batch, 'http', outcome.ack)
    if (this.#closed) return // Cut short by close().
    if (outcome.kind === 'rejected') return this.#reject(batch, outcome.message)
    this.#outbox.requeue([batch])
    if (outcome.kind === 'refused') return this.#refused(outcome.refusal)
    this.#reportOutage(outcome.error)
  }

  #onOpen(): void {
    this.#opened++
    this.#useHttp = false
    this.#connectionErrorHandled = false
    this.#channel.send(this.#registerFrame())
    this.#pump()
  }

  #onDrop(drop: ChannelDrop): void {
    clearTimeout(this.#ackTimer)
    this.#ackTimer = undefined
    const inFlight = [...this.#wsInFlight.values()]
    this.#wsInFlight.clear()
    this.#outbox.requeue(inFlight)
    if (this.#closed) return
    this.#useHttp = this.#options.channels !== 'ws'
    const handled = this.#connectionErrorHandled
    this.#connectionErrorHandled = false
    const refusal = handled || drop.status === undefined ? undefined : refusalOfStatus(drop.status, drop)
    if (refusal) return this.#refused(refusal)
    this.#pump()
  }

  #onServerMessage(message: ServerMessage): void {
    if (message.type === 'ack') return this.#onAck(message)
    if (message.type === 'resume') return this.#onResume(message)
    if (message.type === 'error') return this.#onErrorMessage(message)
  }

  #onAck(ack: AckMessage): void {
    const batch = this.#wsInFlight.get(ack.batchId)
    if (!batch) return
    this.#wsInFlight.delete(ack.batchId)
    this.#armAckTimer()
    this.#delivered(batch, 'websocket', ack)
    this.#pump()
  }

  #onResume(message: ResumeMessage): void {
    for (const listener of this.#listeners) {
      try {
        withInterceptionRestored(() => listener(message))
      } catch (error) {
        this.#report(new RetraceError('RETRACE_RESUME', `A resume listener failed: ${(error as Error).message}`, { cause: error }))
      }
    }
  }

  #onErrorMessage(message: ErrorMessage): void {
    if (message.batchId !== undefined) {
      const batch = this.#wsInFlight.get(message.batchId)
      if (!batch) return
      if (message.code === 'bad_request') {
        this.#wsInFlight.delete(message.batchId)
        this.#reject(batch, `The server refused batch ${batch.id}: ${message.message}`)
        this.#armAckTimer()
        return this.#pump()
      }
      // A server-side failure on one batch: reconnect (with backoff) and resend everything unacknowledged.
      this.#channel.drop()
      return
    }
    const refusal = refusalOfMessage(message)
    if (!refusal) return
    // The close code that follows says the same: handle it once.
    this.#connectionErrorHandled = true
    this.#refused(refusal)
  }

  #delivered(batch: Batch, channel: 'websocket' | 'http', ack: Pick<EventsResponse, 'accepted' | 'duplicates' | 'rejected'>): void {
    if (ack.rejected && ack.rejected.length > 0) this.#markRejectedEvents(batch, ack.rejected)
    this.#outbox.settle(batch)
    this.#stats.acknowledged += batch.eventCount
    this.#stats.duplicates += ack.duplicates
    this.#stats[channel]++
    this.#inOutage = false
    this.#settledForWaiters(batch.id)
  }

  #reject(batch: Batch, message: string): void {
    this.#outbox.drop(batch)
    this.#report(new RetraceBatchRejectedError(batch.id, message))
    this.#settledForWaiters(batch.id)
  }

  #markRejectedEvents(batch: Batch, rejected: readonly RejectedEvent[]): void {
    const ids = new Set(rejected.map((event) => event.id))
    this.#stats.dropped += ids.size
    let frame = batch.frame
    try {
      frame ??= batch.journal?.read(batch.id)
      const events = frame ? ((JSON.parse(frame.toString('utf8')) as { events?: WireEvent[] }).events ?? []) : []
      for (const event of events) {
        const traceId = ids.has(event.id) ? traceIdOf(event) : undefined
        if (traceId !== undefined) this.#markLossy(traceId, 1)
      }
    } catch {
      // The traces cannot be named; the error below still says what was lost.
    }
    this.#report(new RetraceBatchRejectedError(batch.id, `The server refused ${ids.size} event(s) of batch ${batch.id}: ${rejected[0]!.message}`, [...ids]))
  }

  /** The server refused this client: stop for a refused key, pause for credits or rate. */
  #refused(refusal: ServerRefusal): void {
    if (refusal.kind === 'auth') return this.#authFailed(refusal.status, refusal.message)
    if (refusal.kind === 'credits') return this.#creditsExhausted(refusal.retryAfterSeconds ?? this.#options.creditsPauseMs / 1000, refusal.message)
    this.#rateLimited(refusal.retryAfterSeconds ?? 1, refusal.message)
  }

  #authFailed(status: number, message?: string): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#channel.suspend()
    this.#clearTimers()
    this.#cut() // Queued events go to the journal, for a process with a valid key.
    this.#report(new RetraceAuthError(`The Retrace server refused the API key (HTTP ${status}${message ? `: ${message}` : ''}); sending stops for this process.`, { status }))
    for (const waiter of [...this.#waiters]) this.#finishWaiter(waiter, false)
  }

  #creditsExhausted(seconds: number, message?: string): void {
    this.#pause(seconds * 1000)
    this.#report(new RetraceCreditsExhaustedError(`The Retrace account is out of credits${message ? ` (${message})` : ''}; delivery pauses for ${Math.round(seconds)} s.`))
  }

  #rateLimited(seconds: number, message?: string): void {
    this.#pause(seconds * 1000)
    this.#report(new RetraceRateLimitError(seconds, message ? { message: `Rate limited by the Retrace server (${message}); retrying in ${seconds} s.` } : {}))
  }

  #pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + ms)
    this.#channel.delay(ms)
    this.#wakeAfterPause()
  }

  /** Runs #pump when the pause ends (one timer, unref'd). */
  #wakeAfterPause(): void {
    clearTimeout(this.#pauseTimer)
    this.#pauseTimer = setTimeout(() => {
      this.#pauseTimer = undefined
      this.#pump()
    }, Math.max(0, this.#pausedUntil - Date.now()))
    this.#pauseTimer.unref()
  }

  #reportOutage(error: RetraceConnectionError): void {
    if (this.#inOutage) return
    this.#inOutage = true
    this.#report(error)
    for (const waiter of [...this.#waiters]) if (waiter.untilUnreachable) this.#finishWaiter(waiter, false)
  }

  #markLossy(traceId: string, droppedEvents: number): void {
    if (this.#lossy.has(traceId)) return
    this.#lossy.add(traceId)
    try {
      withInterceptionRestored(() => this.#options.onLossy(traceId))
    } catch {
      // The SDK's callback must not break delivery.
    }
    if (this.#stopped || this.#closed) return
    // A marker event, so the trace is flagged even if its trace.end already left.
    this.#queue.push({ type: 'trace.lossy', id: `${traceId}:lossy`, lossy: { traceId, droppedEvents } })
    if (!this.#cutTimer) {
      this.#cutTimer = setTimeout(() => this.#cut(), this.#options.batchIntervalMs)
      this.#cutTimer.unref()
    }
  }

  #settledForWaiters(batchId: string): void {
    for (const waiter of this.#waiters) {
      if (waiter.ids.delete(batchId) && waiter.ids.size === 0) this.#finishWaiter(waiter, true)
    }
  }

  #finishWaiter(waiter: FlushWaiter, complete: boolean): void {
    if (!this.#waiters.delete(waiter)) return
    clearTimeout(waiter.timer)
    waiter.resolve(this.#flushResult(complete, waiter.acknowledgedBefore))
  }

  #flushResult(complete: boolean, acknowledgedBefore: number): FlushResult {
    return {
      complete,
      acknowledged: this.#stats.acknowledged - acknowledgedBefore,
      pending: this.#queue.length + this.#outbox.outstandingEvents,
      journaled: this.#outbox.journaledOutstandingEvents(),
    }
  }

  #registerFrame(): string {
    let resumable: string[] = []
    try {
      resumable = [...this.#options.resumable()]
    } catch {
      // A failing getter registers nothing rather than breaking the connection.
    }
    const message: RegisterMessage = {
      type: 'register',
      sdk: this.#options.sdk,
      protocol: PROTOCOL_VERSION,
      resumable,
      instanceId: this.#instanceId,
      runtime: `node ${process.version}`,
    }
    return JSON.stringify(message)
  }

  #report(error: RetraceError): void {
    try {
      withInterceptionRestored(() => this.#options.onError(error))
    } catch {
      // Never let the SDK's error callback break delivery.
    }
  }

  #clearTimers(): void {
    clearTimeout(this.#ackTimer)
    clearTimeout(this.#pauseTimer)
    this.#ackTimer = this.#pauseTimer = undefined
    this.#http.close()
  }

  #shutdown(): void {
    if (this.#closed) return
    this.#cut()
    this.#closed = true
    this.#clearTimers()
    clearTimeout(this.#cutTimer)
    clearInterval(this.#rescanTimer)
    this.#channel.close()
    this.#agent.destroy()
    // What is still unacknowledged and only in memory is lost now.
    this.#stats.dropped += this.#outbox.outstandingEvents - this.#outbox.journaledOutstandingEvents()
    this.#outbox.close()
    for (const waiter of [...this.#waiters]) this.#finishWaiter(waiter, false)
  }
}

function eventIdOf(event: WireEvent): string | undefined {
  try {
    return typeof event?.id === 'string' ? event.id : undefined
  } catch {
    return undefined
  }
}
