import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  API_KEY_HEADER,
  CLOSE_CODES,
  EVENTS_PATH,
  POLICY_CHECK_PATH,
  PolicyCheckSchema,
  STREAM_PATH,
  WireEventSchema,
  type ErrorMessage,
  type PolicyCheck,
  type PolicyVerdict,
  type RegisterMessage,
  type RejectedEvent,
  type ResumeMessage,
  type WireEvent,
  type WireSpan,
  type WireTraceEnd,
  type WireTraceStart,
} from '@retrace/protocol'

// A Retrace API server for tests, implementing wire protocol v1 (protocol/PROTOCOL.md) over a
// real node:http server and a `ws` WebSocketServer: events stored once per id, batches
// acknowledged, auth by `x-retrace-key`, and knobs to break it on purpose.

/** Where a fault applies. */
export type FaultTarget = 'upgrade' | 'websocket' | 'http' | 'policy'

/**
 * What the server does instead of its normal answer:
 * - `status`: answers that HTTP status (an upgrade is refused with it; on an open WebSocket, a
 *   batch gets an `error` message: 400 → `bad_request` for the batch, 5xx → `server` for the
 *   batch, 401/402/429 → a connection error followed by close code 4401/4402/4429);
 * - `drop`: closes the connection without answering (after storing the batch when `store`);
 * - `no-ack`: never answers (after storing the batch when `store`): the client must time out.
 */
export type TestServerFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  | { kind: 'drop'; store?: boolean }
  | { kind: 'no-ack'; store?: boolean }

export interface InjectOptions {
  /** How many requests or batches it applies to (default 1; `Infinity` until `clearFaults()`). */
  times?: number
  /** Where it applies (default: upgrades, WebSocket batches and HTTP posts of events). */
  on?: readonly FaultTarget[]
}

export interface RetraceTestServerOptions {
  /** Port to listen on (default 0: a free one, kept across `stop()`/`start()`). */
  port?: number
  /** API keys accepted (default: any non-empty key). Others get 401. */
  apiKeys?: readonly string[]
  /** The answer to POST /v1/policy/check (default `{ verdict: 'allow' }`). */
  policy?: PolicyVerdict | ((check: PolicyCheck) => PolicyVerdict | Promise<PolicyVerdict>)
  /** Validate each event against the wire schema; invalid ones are `rejected` in the ack (default true). */
  validate?: boolean
}

/** A trace as the server rebuilt it from the events. */
export interface StoredTrace {
  start?: WireTraceStart
  spans: WireSpan[]
  end?: WireTraceEnd
  /** A `trace.lossy` marker arrived, or the trace end says lossy. */
  lossy: boolean
}

/** A running (or stopped) test server. */
export interface RetraceTestServer {
  /** `http://127.0.0.1:<port>`: the base URL for the SDK. */
  readonly url: string
  readonly port: number
  readonly running: boolean
  /** Stored events, each id once, in arrival order. Kept across `stop()`/`start()`. */
  readonly events: readonly WireEvent[]
  /** Every event id received, duplicates included, in arrival order. */
  readonly receivedIds: readonly string[]
  /** Events received again after being stored. */
  readonly duplicates: number
  /** Batches stored and acknowledged, per channel. */
  readonly deliveries: { readonly websocket: number; readonly http: number }
  /** WebSocket upgrades accepted since creation. */
  readonly connectionsAccepted: number
  /** WebSocket clients connected now. */
  readonly clients: number
  /** `register` messages received, oldest first. */
  readonly registrations: readonly RegisterMessage[]
  /** Policy checks received, oldest first. */
  readonly policyChecks: readonly PolicyCheck[]
  /** The stored events grouped by trace. */
  traces(): Map<string, StoredTrace>
  /** Makes the server misbehave; faults queue up and apply in order. */
  inject(fault: TestServerFault, options?: InjectOptions): void
  clearFaults(): void
  /** Sets the policy answer. */
  setPolicy(policy: NonNullable<RetraceTestServerOptions['policy']>): void
  /** Sends a message to every connected WebSocket client; returns how many got it. */
  broadcast(message: ResumeMessage | ErrorMessage | { type: 'ping' }): number
  /** Sends a `resume` command to every connected client; returns how many got it. */
  sendResume(resume: Omit<ResumeMessage, 'type'>): number
  /** Cuts every WebSocket connection at once (no close handshake, no acks). */
  dropConnections(): void
  /** Resolves when `predicate` holds (checked on every change and every 10 ms); rejects after `timeoutMs` (default 5 s). */
  waitFor(predicate: (server: RetraceTestServer) => boolean, timeoutMs?: number): Promise<void>
  /** Resolves once `count` distinct events are stored. */
  waitForEvents(count: number, timeoutMs?: number): Promise<void>
  /** Stops listening and cuts every connection; stored events are kept. */
  stop(): Promise<void>
  /** Listens again, on the same port. */
  start(): Promise<void>
  /** Forgets stored events, counters, registrations and faults. */
  reset(): void
}

interface ActiveFault {
  fault: TestServerFault
  remaining: number
  on: ReadonlySet<FaultTarget>
}

const DEFAULT_TARGETS: readonly FaultTarget[] = ['upgrade', 'websocket', 'http']

/**
 * Starts a Retrace API test server on 127.0.0.1.
 *
 * @example
 * import { createTransport } from '@retrace/core'
 * const server = await startRetraceTestServer()
 * const transport = createTransport({ baseUrl: server.url, apiKey: 'rt_test', journalDir: false })
 * transport.send({ type: 'trace.start', id: 't1:start', trace: { id: 't1', name: 'agent', startedAt: new Date().toISOString() } })
 * await server.waitForEvents(1)
 * server.events.map((event) => event.id) // → ['t1:start']
 * server.inject({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { on: ['http'] }) // the next HTTP batch is refused
 * await transport.close()
 * await server.stop()   // the port stays reserved for…
 * await server.start()  // …a restart on the same URL
 * server.running // → true
 * await server.stop()
 */
export async function startRetraceTestServer(options: RetraceTestServerOptions = {}): Promise<RetraceTestServer> {
  const validate = options.validate ?? true
  let policy = options.policy ?? { verdict: 'allow' as const }
  const stored = new Map<string, WireEvent>()
  let events: WireEvent[] = []
  let receivedIds: string[] = []
  let duplicates = 0
  const deliveries = { websocket: 0, http: 0 }
  let connectionsAccepted = 0
  let registrations: RegisterMessage[] = []
  let policyChecks: PolicyCheck[] = []
  let faults: ActiveFault[] = []
  const watchers = new Set<() => void>()
  const changed = () => {
    for (const watcher of [...watchers]) watcher()
  }

  const takeFault = (target: FaultTarget): TestServerFault | undefined => {
    const active = faults.find((item) => item.on.has(target))
    if (!active) return undefined
    if (--active.remaining <= 0) faults = faults.filter((item) => item !== active)
    return active.fault
  }

  const authorized = (key: string | string[] | undefined): boolean => {
    const value = Array.isArray(key) ? key[0] : key
    if (!value) return false
    return options.apiKeys ? options.apiKeys.includes(value) : true
  }

  /** Stores a batch's events; returns the ack counts. */
  const store = (raw: unknown): { batchId: string; accepted: number; duplicates: number; rejected: RejectedEvent[] } | undefined => {
    if (typeof raw !== 'object' || raw === null) return undefined
    const batch = raw as { type?: unknown; batchId?: unknown; events?: unknown }
    if (batch.type !== 'batch' || typeof batch.batchId !== 'string' || !Array.isArray(batch.events)) return undefined
    let accepted = 0
    let dupes = 0
    const rejected: RejectedEvent[] = []
    for (const item of batch.events as unknown[]) {
      const id = typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : undefined
      if (id === undefined) {
        rejected.push({ id: '', message: 'event without an id' })
        continue
      }
      receivedIds.push(id)
      if (stored.has(id)) {
        dupes++
        continue
      }
      let event = item as WireEvent
      if (validate) {
        const parsed = WireEventSchema.safeParse(item)
        if (!parsed.success) {
          rejected.push({ id, message: parsed.error.issues[0]?.message ?? 'invalid event' })
          continue
        }
        event = parsed.data
      }
      stored.set(id, event)
      events.push(event)
      accepted++
    }
    duplicates += dupes
    return { batchId: batch.batchId, accepted, duplicates: dupes, rejected }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 })
  const http: Server = createServer((req, res) => {
    void handleHttp(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { code: 'server', message: String(error) })
    })
  })

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const body = await readBody(req)
    if (req.method !== 'POST' || (path !== EVENTS_PATH && path !== POLICY_CHECK_PATH)) return sendJson(res, 404, { code: 'bad_request', message: `No route ${req.method} ${path}` })
    if (!authorized(req.headers[API_KEY_HEADER])) return sendJson(res, 401, { code: 'auth', message: 'Invalid API key' })
    const target: FaultTarget = path === EVENTS_PATH ? 'http' : 'policy'
    const fault = takeFault(target)
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return sendJson(res, 400, { code: 'bad_request', message: 'Body is not JSON' })
    }
    if (fault?.kind === 'status') return sendStatus(res, fault)
    if (target === 'policy') {
      if (fault) {
        if (fault.kind === 'drop') req.socket.destroy()
        return
      }
      const check = PolicyCheckSchema.safeParse(parsed)
      if (!check.success) return sendJson(res, 400, { code: 'bad_request', message: check.error.issues[0]?.message ?? 'invalid policy check' })
      policyChecks.push(check.data)
      changed()
      return sendJson(res, 200, typeof policy === 'function' ? await policy(check.data) : policy)
    }
    if (fault && !fault.store) return fault.kind === 'drop' ? void req.socket.destroy() : undefined
    const result = store(parsed)
    if (!result) return sendJson(res, 400, { code: 'bad_request', message: 'Not an event batch' })
    changed()
    if (fault) return fault.kind === 'drop' ? void req.socket.destroy() : undefined
    deliveries.http++
    changed()
    sendJson(res, 200, { batchId: result.batchId, accepted: result.accepted, duplicates: result.duplicates, ...(result.rejected.length ? { rejected: result.rejected } : {}) })
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path !== STREAM_PATH) return refuseUpgrade(socket, 404)
    if (!authorized(req.headers[API_KEY_HEADER])) return refuseUpgrade(socket, 401)
    const fault = takeFault('upgrade')
    if (fault?.kind === 'status') return refuseUpgrade(socket, fault.status, fault.retryAfterSeconds)
    if (fault) return void socket.destroy()
    wss.handleUpgrade(req, socket, head, (ws) => {
      connectionsAccepted++
      changed()
      ws.on('message', (data, isBinary) => onFrame(ws, isBinary ? undefined : data.toString()))
      ws.on('close', changed)
    })
  })

  const onFrame = (ws: WebSocket, text: string | undefined) => {
    let message: { type?: unknown }
    try {
      message = JSON.parse(text ?? '') as { type?: unknown }
    } catch {
      return ws.send(JSON.stringify({ type: 'error', code: 'bad_request', message: 'Frame is not JSON' }))
    }
    if (message.type === 'register') {
      registrations.push(message as RegisterMessage)
      return changed()
    }
    if (message.type === 'pong') return
    if (message.type !== 'batch') return ws.send(JSON.stringify({ type: 'error', code: 'bad_request', message: `Unknown message type ${String(message.type)}` }))
    const batchId = typeof (message as { batchId?: unknown }).batchId === 'string' ? (message as { batchId: string }).batchId : undefined
    const fault = takeFault('websocket')
    if (fault?.kind === 'status') return sendSocketError(ws, fault, batchId)
    if (fault && !fault.store) return fault.kind === 'drop' ? ws.terminate() : undefined
    const result = store(message)
    if (!result) return ws.send(JSON.stringify({ type: 'error', code: 'bad_request', message: 'Not an event batch', batchId }))
    changed()
    if (fault) return fault.kind === 'drop' ? ws.terminate() : undefined
    deliveries.websocket++
    ws.send(JSON.stringify({ type: 'ack', batchId: result.batchId, accepted: result.accepted, duplicates: result.duplicates, ...(result.rejected.length ? { rejected: result.rejected } : {}) }))
    changed()
  }

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      http.once('error', reject)
      http.listen(port, '127.0.0.1', () => {
        http.off('error', reject)
        resolve((http.address() as AddressInfo).port)
      })
    })

  let port = await listen(options.port ?? 0)
  let running = true

  const server: RetraceTestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    get running() {
      return running
    },
    get events() {
      return events
    },
    get receivedIds() {
      return receivedIds
    },
    get duplicates() {
      return duplicates
    },
    get deliveries() {
      return { ...deliveries }
    },
    get connectionsAccepted() {
      return connectionsAccepted
    },
    get clients() {
      return [...wss.clients].filter((client) => client.readyState === client.OPEN).length
    },
    get registrations() {
      return registrations
    },
    get policyChecks() {
      return policyChecks
    },
    traces() {
      const traces = new Map<string, StoredTrace>()
      const of = (id: string) => traces.get(id) ?? traces.set(id, { spans: [], lossy: false }).get(id)!
      for (const event of events) {
        if (event.type === 'trace.start') of(event.trace.id).start = event.trace
        else if (event.type === 'span') of(event.span.traceId).spans.push(event.span)
        else if (event.type === 'trace.end') {
          const trace = of(event.trace.id)
          trace.end = event.trace
          if (event.trace.lossy) trace.lossy = true
        } else if (event.type === 'trace.lossy') of(event.lossy.traceId).lossy = true
      }
      return traces
    },
    inject(fault, injectOptions = {}) {
      faults.push({ fault, remaining: injectOptions.times ?? 1, on: new Set(injectOptions.on ?? DEFAULT_TARGETS) })
    },
    clearFaults() {
      faults = []
    },
    setPolicy(next) {
      policy = next
    },
    broadcast(message) {
      let count = 0
      for (const client of wss.clients) {
        if (client.readyState !== client.OPEN) continue
        client.send(JSON.stringify(message))
        count++
      }
      return count
    },
    sendResume(resume) {
      return server.broadcast({ type: 'resume', ...resume })
    },
    dropConnections() {
      for (const client of wss.clients) client.terminate()
    },
    waitFor(predicate, timeoutMs = 5_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(server)) return
          finish()
          resolve()
        }
        const poll = setInterval(check, 10)
        const timeout = setTimeout(() => {
          finish()
          reject(new Error(`retrace test server: condition not met within ${timeoutMs} ms (${stored.size} events stored, ${duplicates} duplicates)`))
        }, timeoutMs)
        const finish = () => {
          clearInterval(poll)
          clearTimeout(timeout)
          watchers.delete(check)
        }
        watchers.add(check)
        check()
      })
    },
    waitForEvents(count, timeoutMs) {
      return server.waitFor(() => stored.size >= count, timeoutMs)
    },
    async stop() {
      if (!running) return
      running = false
      for (const client of wss.clients) client.terminate()
      const closed = new Promise<void>((resolve) => http.close(() => resolve()))
      http.closeAllConnections()
      await closed
    },
    async start() {
      if (running) return
      port = await listen(port)
      running = true
    },
    reset() {
      stored.clear()
      events = []
      receivedIds = []
      duplicates = 0
      deliveries.websocket = 0
      deliveries.http = 0
      connectionsAccepted = 0
      registrations = []
      policyChecks = []
      faults = []
    },
  }
  return server
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

const CODES: Record<number, ErrorMessage['code']> = { 400: 'bad_request', 401: 'auth', 402: 'credits_exhausted', 429: 'rate_limited' }

function errorCode(status: number): ErrorMessage['code'] {
  return CODES[status] ?? (status >= 500 ? 'server' : 'bad_request')
}

function sendStatus(res: ServerResponse, fault: Extract<TestServerFault, { kind: 'status' }>): void {
  const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) }
  sendJson(res, fault.status, { code: errorCode(fault.status), message: fault.message ?? `Injected HTTP ${fault.status}`, ...(fault.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: fault.retryAfterSeconds }) }, headers)
}

function sendSocketError(ws: WebSocket, fault: Extract<TestServerFault, { kind: 'status' }>, batchId: string | undefined): void {
  const code = errorCode(fault.status)
  const message: ErrorMessage = { type: 'error', code, message: fault.message ?? `Injected ${fault.status}` }
  if (fault.retryAfterSeconds !== undefined) message.retryAfterSeconds = fault.retryAfterSeconds
  if (code === 'bad_request' || code === 'server') {
    // About this batch only; the connection stays.
    if (batchId !== undefined) message.batchId = batchId
    ws.send(JSON.stringify(message))
    return
  }
  ws.send(JSON.stringify(message))
  const closeCode = code === 'auth' ? CLOSE_CODES.auth : code === 'credits_exhausted' ? CLOSE_CODES.creditsExhausted : CLOSE_CODES.rateLimited
  ws.close(closeCode, code)
}

const REASONS: Record<number, string> = { 401: 'Unauthorized', 402: 'Payment Required', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' }

function refuseUpgrade(socket: Duplex, status: number, retryAfterSeconds?: number): void {
  // Node's HTTP server takes its error listener off an upgrade socket; a client that hangs up
  // on the refusal (ws resets the connection) would otherwise be an uncaught ECONNRESET here.
  socket.on('error', () => {})
  const body = JSON.stringify({ code: errorCode(status), message: `Upgrade refused with ${status}` })
  const lines = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(retryAfterSeconds === undefined ? [] : [`Retry-After: ${retryAfterSeconds}`]),
  ]
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`)
}
