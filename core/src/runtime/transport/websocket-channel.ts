import { connect as netConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'
import WebSocket from 'ws'
import { withoutInterception } from '../../capture/session-routing.ts'
import { API_KEY_HEADER, CLOSE_CODES, PROTOCOL_HEADER, PROTOCOL_VERSION, ServerMessageSchema, type ServerMessage } from '@retrace/protocol'
import type { Backoff } from './backoff.ts'
import { retryAfterSeconds } from './http-client.ts'

// One long-lived WebSocket to `{baseUrl}/v1/stream`, reconnected in the background with
// backoff for as long as the channel is started. The API key goes in the upgrade request's
// headers (never in a frame); a refused upgrade (401, 402, 429, 5xx) is reported with its
// status so the transport can map it like an HTTP answer.

/** Where the channel is. `down`: not connected, a reconnect is scheduled (or suspended). */
export type ChannelState = 'idle' | 'connecting' | 'open' | 'down' | 'closed'

/** Why the connection ended, as far as the client can tell. */
export interface ChannelDrop {
  /** HTTP status of a refused upgrade, or the equivalent of a Retrace close code (4401 → 401…). */
  status?: number
  /** From the refusal's `retry-after` header, when it had one. */
  retryAfterSeconds?: number
  /** Whether the socket had been open (a failed connect attempt is `false`). */
  wasOpen: boolean
  error?: Error
}

export interface WebSocketChannelOptions {
  /** Base URL (http(s)://…), without a trailing slash; the stream URL is derived from it. */
  baseUrl: string
  apiKey: string
  handshakeTimeoutMs: number
  backoff: Backoff
  /** Offer permessage-deflate (the server decides). */
  compression: boolean
  /** Called when the socket opens (send `register` from here). */
  onOpen: () => void
  /** Called for each valid server message. */
  onMessage: (message: ServerMessage) => void
  /** Called when the socket closes or a connect attempt fails; a reconnect is already scheduled unless suspended. */
  onDrop: (drop: ChannelDrop) => void
}

/**
 * The WebSocket to the stream endpoint, kept connected in the background.
 *
 * @example
 * import { WebSocketServer } from 'ws'
 * import { createBackoff } from './backoff.ts'
 * // A stand-in for the server's /v1/stream that acks each batch.
 * const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
 * server.on('connection', (socket) => socket.on('message', (data) => {
 *   const message = JSON.parse(data.toString()) as { type: string; batchId?: string }
 *   if (message.type === 'batch') socket.send(JSON.stringify({ type: 'ack', batchId: message.batchId, accepted: 0, duplicates: 0 }))
 * }))
 * await new Promise((resolve) => server.once('listening', resolve))
 * const ack = await new Promise((resolve) => {
 *   const channel = new WebSocketChannel({
 *     baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_test', handshakeTimeoutMs: 5_000, backoff: createBackoff(), compression: true,
 *     onOpen: () => channel.send('{"type":"batch","batchId":"b1","events":[]}'),
 *     onMessage: (message) => { resolve(message); channel.close() },
 *     onDrop: () => {},
 *   })
 *   channel.start()
 * })
 * ack // → { type: 'ack', batchId: 'b1', accepted: 0, duplicates: 0 }
 * server.close()
 */
export class WebSocketChannel {
  readonly url: string
  #state: ChannelState = 'idle'
  #socket: WebSocket | undefined
  #timer: NodeJS.Timeout | undefined
  /** Earliest time of the next connect attempt, set by a 429 or a pause. */
  #notBefore = 0
  #suspended = false
  readonly #options: WebSocketChannelOptions

  constructor(options: WebSocketChannelOptions) {
    this.#options = options
    this.url = streamUrl(options.baseUrl)
  }

  get state(): ChannelState {
    return this.#state
  }

  /** Connects now (or when a pending delay ends). */
  start(): void {
    if (this.#state === 'closed' || this.#state === 'connecting' || this.#state === 'open') return
    this.#suspended = false
    this.#schedule(Math.max(0, this.#notBefore - Date.now()))
  }

  /**
   * Sends a text frame; `callback` runs once it is written (or with the error when the
   * socket failed, which also drops the connection). Returns false when not open.
   */
  send(data: Buffer | string, callback?: (error?: Error) => void): boolean {
    const socket = this.#socket
    if (this.#state !== 'open' || !socket) return false
    socket.send(data, { binary: false }, callback)
    return true
  }

  /** Drops the connection (e.g. acks stopped coming) and reconnects after the usual backoff. */
  drop(): void {
    this.#socket?.terminate()
  }

  /** Stays disconnected until `start()` (auth refused, or the transport is paused). */
  suspend(): void {
    this.#suspended = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#socket) closeGracefully(this.#socket)
  }

  /** Delays the next connect attempt until at least `ms` from now. */
  delay(ms: number): void {
    this.#notBefore = Math.max(this.#notBefore, Date.now() + ms)
  }

  /** Closes for good. */
  close(): void {
    this.#state = 'closed'
    clearTimeout(this.#timer)
    this.#timer = undefined
    const socket = this.#socket
    this.#socket = undefined
    if (socket) closeGracefully(socket)
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer)
    if (ms <= 0) return this.#connect()
    this.#state = 'down'
    this.#timer = setTimeout(() => this.#connect(), ms)
    this.#timer.unref()
  }

  #connect(): void {
    this.#timer = undefined
    if (this.#state === 'closed' || this.#suspended) return
    if (Date.now() < this.#notBefore) return this.#schedule(this.#notBefore - Date.now())
    this.#state = 'connecting'
    let refusal: { status: number; retryAfterSeconds?: number } | undefined
    let wasOpen = false
    let lastError: Error | undefined
    let socket: WebSocket
    try {
      const secure = this.url.startsWith('wss:')
      socket = withoutInterception(
        () =>
          new WebSocket(this.url, {
            headers: { [API_KEY_HEADER]: this.#options.apiKey, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
            handshakeTimeout: this.#options.handshakeTimeoutMs,
            perMessageDeflate: this.#options.compression,
            followRedirects: false,
            // ws only ever calls it with an options object; the declared type lists net's other overloads.
            createConnection: (secure ? unrefTlsConnection : unrefNetConnection) as unknown as typeof netConnect,
          }),
      )
    } catch (error) {
      this.#state = 'down'
      this.#options.onDrop({ wasOpen: false, error: error as Error })
      this.#schedule(this.#options.backoff.next())
      return
    }
    this.#socket = socket
    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0
      const seconds = retryAfterSeconds(res.headers['retry-after'], undefined)
      refusal = seconds === undefined ? { status } : { status, retryAfterSeconds: seconds }
      res.resume()
      socket.terminate()
    })
    socket.on('open', () => {
      if (this.#socket !== socket) return
      wasOpen = true
      this.#state = 'open'
      this.#options.backoff.reset()
      this.#options.onOpen()
    })
    socket.on('message', (data, isBinary) => {
      if (isBinary || this.#socket !== socket) return
      const message = parseServerMessage(data)
      if (message?.type === 'ping') socket.send('{"type":"pong"}')
      else if (message) this.#options.onMessage(message)
    })
    socket.on('error', (error) => {
      lastError = error
    })
    socket.on('close', (code) => {
      if (this.#socket !== socket) return
      this.#socket = undefined
      const status = refusal?.status ?? statusOfCloseCode(code)
      const drop: ChannelDrop = { wasOpen }
      if (status !== undefined) drop.status = status
      if (refusal?.retryAfterSeconds !== undefined) drop.retryAfterSeconds = refusal.retryAfterSeconds
      if (lastError) drop.error = lastError
      if (this.#state === 'closed') return
      this.#state = 'down'
      this.#options.onDrop(drop)
      if (!this.#suspended && this.#state === 'down' && !this.#timer) {
        this.#schedule(Math.max(this.#options.backoff.next(), this.#notBefore - Date.now()))
      }
    })
  }
}

/**
 * The stream URL for a base URL: same host and path prefix, ws(s) scheme, `/v1/stream`.
 *
 * @example
 * streamUrl('https://api.retrace.dev') // → 'wss://api.retrace.dev/v1/stream'
 * streamUrl('http://127.0.0.1:8787/retrace/') // → 'ws://127.0.0.1:8787/retrace/v1/stream'
 */
export function streamUrl(baseUrl: string): string {
  const url = new URL(baseUrl)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${url.toString().replace(/\/+$/, '')}/v1/stream`
}

/**
 * A normal close, but never a long wait for the server's close frame: ws would wait 30 s on a
 * timer that keeps the process alive.
 */
function closeGracefully(socket: WebSocket): void {
  if (socket.readyState !== WebSocket.OPEN) return socket.terminate()
  socket.close(1000)
  setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref()
}

const CLOSE_GRACE_MS = 1_000

function statusOfCloseCode(code: number): number | undefined {
  if (code === CLOSE_CODES.auth) return 401
  if (code === CLOSE_CODES.creditsExhausted) return 402
  if (code === CLOSE_CODES.rateLimited) return 429
  return undefined
}

function parseServerMessage(data: WebSocket.RawData): ServerMessage | undefined {
  try {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8')
    const parsed = ServerMessageSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

// ws's own connectors, plus unref(): a connecting or idle socket never keeps the process alive.
function unrefNetConnection(options: { socketPath?: string; path?: string } & Record<string, unknown>): Socket {
  options.path = options.socketPath
  const socket = netConnect(options as never)
  socket.unref()
  return socket
}

function unrefTlsConnection(options: ConnectionOptions & { path?: string; host?: string }): Socket {
  options.path = undefined
  if (!options.servername && options.servername !== '') options.servername = isIP(options.host ?? '') ? '' : options.host
  const socket = tlsConnect(options)
  socket.unref()
  return socket
}
