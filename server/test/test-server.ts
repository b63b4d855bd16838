import { Writable } from 'node:stream'
import WebSocket from 'ws'
import { createLogger } from '../src/logging/logger.ts'
import { startServer, type RetraceServer, type StartServerOptions } from '../src/server.ts'
import type { StoreTarget } from './store-matrix.ts'

/** A server started in-process for a test, with its first key and helpers to call it. */
export interface TestServer {
  server: RetraceServer
  url: string
  /** The first project's admin key (ingest, read, admin). */
  key: string
  projectId: string
  /** Every log line written, parsed. */
  logs: Array<Record<string, unknown>>
  /** Raw log text. */
  logText(): string
  /** fetch() against the server with `key` unless `headers` says otherwise. */
  request(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>
  /** JSON of a request, with its status. */
  call<T = any>(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<{ status: number; body: T; headers: Headers }>
  close(): Promise<void>
}

/**
 * Starts a server on a fresh database of `target` (port 0, logs captured, silent unless asked).
 *
 * @example
 * const t = await startTestServer(target)
 * const { body } = await t.call('/api/v1/traces')
 */
export async function startTestServer(target: StoreTarget, options: StartServerOptions & { databaseUrl?: string } = {}): Promise<TestServer> {
  let text = ''
  const logs: Array<Record<string, unknown>> = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString()
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>)
        } catch {
          logs.push({ raw: line })
        }
      }
      done()
    },
  })
  const logger = createLogger({ level: options.logLevel ?? 'info', destination })
  const server = await startServer({ port: 0, databaseUrl: options.databaseUrl ?? (await target.freshUrl()), logger, ...options })
  if (!server.firstStart) throw new Error('startTestServer needs an empty database')
  const key = server.firstStart.apiKey
  const request: TestServer['request'] = (path, init = {}) => {
    const { key: keyOverride, json, ...rest } = init
    const headers = new Headers(rest.headers)
    const useKey = keyOverride === undefined ? key : keyOverride
    if (useKey !== null && !headers.has('x-retrace-key')) headers.set('x-retrace-key', useKey)
    if (json !== undefined) headers.set('content-type', 'application/json')
    return fetch(`${server.url}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? 'POST' } : {}) })
  }
  return {
    server,
    url: server.url,
    key,
    projectId: server.firstStart.projectId,
    logs,
    logText: () => text,
    request,
    async call(path, init) {
      const response = await request(path, init)
      const raw = await response.text()
      let body: unknown = raw
      try {
        body = JSON.parse(raw)
      } catch {
        // Not JSON: the text itself.
      }
      return { status: response.status, body: body as any, headers: response.headers }
    },
    close: () => server.close(),
  }
}

/** A raw WebSocket client of `/v1/stream` that collects what the server sends. */
export interface StreamClient {
  socket: WebSocket
  messages: Array<Record<string, any>>
  closed: Promise<{ code: number; reason: string }>
  send(message: unknown): void
  /** Resolves with the first message (already received or next) matching `predicate`. */
  next(predicate: (message: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>
}

/**
 * Opens `/v1/stream` with `key`; rejects with the refusal's status when the upgrade is refused.
 *
 * @example
 * const client = await openStream(t.url, t.key)
 * client.send({ type: 'batch', batchId: 'b1', events: [] })
 * await client.next((m) => m.type === 'ack')
 */
export function openStream(url: string, key: string | undefined): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/stream`, { headers: key === undefined ? {} : { 'x-retrace-key': key, 'x-retrace-protocol': '1' } })
    const messages: Array<Record<string, any>> = []
    const waiters = new Set<() => void>()
    let onClose: (value: { code: number; reason: string }) => void = () => {}
    const closed = new Promise<{ code: number; reason: string }>((done) => (onClose = done))
    socket.on('message', (data) => {
      messages.push(JSON.parse(String(data)) as Record<string, any>)
      for (const waiter of [...waiters]) waiter()
    })
    socket.on('close', (code, reason) => onClose({ code, reason: reason.toString() }))
    socket.on('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode, headers: response.headers, body })))
    })
    socket.on('error', reject)
    socket.on('open', () =>
      resolve({
        socket,
        messages,
        closed,
        send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
        next(predicate, timeoutMs = 10_000) {
          return new Promise((done, fail) => {
            const check = () => {
              const found = messages.find(predicate)
              if (!found) return
              waiters.delete(check)
              clearTimeout(timer)
              done(found)
            }
            const timer = setTimeout(() => {
              waiters.delete(check)
              fail(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 500)}`))
            }, timeoutMs)
            waiters.add(check)
            check()
          })
        },
      }),
    )
  })
}
