import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { API_KEY_HEADER, CLOSE_CODES, RegisterMessageSchema, STREAM_PATH, type ErrorMessage } from '@retrace/protocol'
import type { ServerServices } from '../api/server-services.ts'
import { authenticate } from '../auth/api-keys.ts'
import { asApiError } from '../api/error-response.ts'
import { ingestBatch } from './ingest-service.ts'
import { batchEnvelope, batchIdIn } from './validate-batch.ts'

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' }

/** How often a silent connection is checked with a WebSocket ping frame. */
const LIVENESS_INTERVAL_MS = 30_000

/**
 * The `/v1/stream` WebSocket endpoint (PROTOCOL.md §5): authenticates the upgrade (plain
 * HTTP 401/403/429 refusals), then takes `register`, `batch` and `pong` messages. Each batch
 * is acknowledged after its commit; a batch too large or not a batch gets `bad_request` with
 * its `batchId`; rate limits and quotas send `error` and close with 4429/4402; a revoked key
 * closes with 4401 (through the connection registry).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../auth/api-keys.ts'
 * import { resolveServerConfig } from '../config/server-config.ts'
 * import { ConnectionRegistry } from '../ingest/connection-registry.ts'
 * import { IngestWriter } from '../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../ingest/rate-limiter.ts'
 * import { createLogger } from '../logging/logger.ts'
 * import { openStore } from '../store/open-store.ts'
 * import { createServer } from 'node:http'
 * import WebSocket from 'ws'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const exchange = (text: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } } },
 * })
 * const llm = (traceId: string, n: number, text: string) => ({
 *   id: `${traceId}.${n}`, traceId, kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 *   interaction: exchange(text),
 * })
 * // One run as the SDK streams it: its start, its LLM spans, its end.
 * const run = (traceId: string, answers: string[]) => [
 *   { type: 'trace.start' as const, id: `${traceId}:start`, trace: { id: traceId, name: 'weather', startedAt: at(0), input: 'Weather in Paris?' } },
 *   ...answers.map((text, index) => ({ type: 'span' as const, id: `${traceId}.${index + 1}`, span: llm(traceId, index + 1, text) })),
 *   { type: 'trace.end' as const, id: `${traceId}:end`, trace: { id: traceId, endedAt: at(59), status: 'completed' as const, output: answers.at(-1), totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 59_000 } } },
 * ]
 * const stream = createStreamEndpoint(services)
 * const httpServer = createServer()
 * httpServer.on('upgrade', stream.handleUpgrade)
 * await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
 * const socket = new WebSocket(`ws://127.0.0.1:${(httpServer.address() as { port: number }).port}/v1/stream`, { headers: { 'x-retrace-key': key.secret } })
 * await new Promise((resolve) => socket.once('open', resolve))
 * const ack = new Promise<string>((resolve) => socket.on('message', (data) => String(data).includes('"ack"') && resolve(String(data))))
 * socket.send(JSON.stringify({ type: 'batch', batchId: 'b1', events: run('tr_1', ['Sunny, 18 °C.']) }))
 * JSON.parse(await ack).accepted // → 3
 * socket.close()
 * await stream.close?.()
 * httpServer.close()
 * services.connections.dispose()
 * await store.close()
 */
export function createStreamEndpoint(services: ServerServices) {
  const limit = services.config.maxFrameBytes
  // Frames over the limit but under this are read and refused per batch; beyond it the
  // socket is closed (1009) without reading the rest into memory.
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(limit * 4, 64 * 1024 * 1024), perMessageDeflate: false })
  let accepting = true

  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => {})
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname
      if (path !== STREAM_PATH) return refuse(socket, 404, 'not_found', `No WebSocket endpoint at ${path.slice(0, 200)}; the stream is ${STREAM_PATH}.`)
      if (!accepting) return refuse(socket, 503, 'server', 'The server is shutting down.')
      const header = request.headers[API_KEY_HEADER]
      const key = await authenticate(services.store, Array.isArray(header) ? header[0] : header, 'ingest')
      const wait = services.limiter.take(key)
      if (wait > 0) return refuse(socket, 429, 'rate_limited', 'Too many requests for this API key.', wait)
      wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, key))
    })().catch((error: unknown) => {
      const apiError = asApiError(error)
      if (apiError.status >= 500) services.log.error({ err: error }, 'upgrade failed')
      refuse(socket, apiError.status, apiError.apiCode, apiError.message, apiError.retryAfterSeconds)
    })
  }

  const onConnection = (ws: WebSocket, key: Awaited<ReturnType<typeof authenticate>>): void => {
    let alive = true
    ws.on('pong', () => (alive = true))
    const liveness = setInterval(() => {
      if (!alive) return ws.terminate()
      alive = false
      ws.ping()
    }, LIVENESS_INTERVAL_MS)
    liveness.unref()
    const send = (message: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }
    const socket = { send: (text: string) => ws.readyState === ws.OPEN && ws.send(text), close: (code: number, reason: string) => ws.close(code, reason) }
    const connectionId = services.connections.open(key, socket)
    // Messages are handled as they come (acks may go out in any order, §5.3), synchronously
    // up to the writer, so a batch received before a shutdown is counted as in flight.
    ws.on('message', (data: RawData, isBinary: boolean) => {
      onMessage(connectionId, data, isBinary).catch((error: unknown) => {
        services.log.error({ err: error }, 'stream message failed')
      })
    })
    ws.on('error', () => {})
    ws.on('close', () => {
      clearInterval(liveness)
      void services.connections.close(connectionId)
    })

    const onMessage = async (id: string, data: RawData, isBinary: boolean): Promise<void> => {
      const size = Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')
      if (isBinary) return send(protocolError('bad_request', 'Frames are JSON text frames, not binary.', batchIdIn(text)))
      if (size > limit) return send(protocolError('bad_request', `The frame is ${size} bytes, over this server's limit of ${limit}.`, batchIdIn(text)))
      let message: unknown
      try {
        message = JSON.parse(text)
      } catch {
        const batchId = batchIdIn(text)
        if (batchId !== undefined) return send(protocolError('bad_request', 'The frame is not JSON.', batchId))
        send(protocolError('bad_request', 'The frame is not JSON and names no batch; closing the connection.'))
        return ws.close(1008, 'not JSON')
      }
      const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined
      if (type === 'register') {
        const register = RegisterMessageSchema.safeParse(message)
        if (!register.success) return send(protocolError('bad_request', `Invalid register message: ${register.error.issues[0]?.message ?? 'invalid'}.`))
        return services.connections.register(id, register.data)
      }
      if (type === 'pong') return
      // Unknown message types are ignored: a newer client may send what this server does not know.
      if (type !== 'batch') return
      const wait = services.limiter.take(key)
      if (wait > 0) {
        send({ ...protocolError('rate_limited', 'Too many requests for this API key.'), retryAfterSeconds: wait })
        return ws.close(CLOSE_CODES.rateLimited, 'rate limited')
      }
      if (!accepting) return send(protocolError('server', 'The server is shutting down; send it again.', batchIdIn(text)))
      try {
        const outcome = await services.writer.track(() => ingestBatch(services, key, batchEnvelope(message)))
        if (outcome.kind === 'bad_request') return send(protocolError('bad_request', outcome.message, outcome.batchId))
        if (outcome.kind === 'credits_exhausted') {
          send({ ...protocolError('credits_exhausted', outcome.message), retryAfterSeconds: outcome.retryAfterSeconds })
          return ws.close(CLOSE_CODES.creditsExhausted, 'credits exhausted')
        }
        send({ type: 'ack', batchId: outcome.batchId, accepted: outcome.accepted, duplicates: outcome.duplicates, ...(outcome.rejected.length ? { rejected: outcome.rejected } : {}) })
      } catch (error) {
        services.log.error({ err: error }, 'could not store a batch')
        send(protocolError('server', 'The server could not store the batch; send it again.', batchIdIn(text)))
      }
    }
  }

  return {
    handleUpgrade,
    /** Refuses new upgrades and new batches (they get `error` `server`: the client resends them elsewhere or later). */
    stopAccepting(): void {
      accepting = false
    },
    /** Closes every socket (1001, going away) and the WebSocket server. */
    close(): void {
      for (const client of wss.clients) client.close(1001, 'server shutting down')
      wss.close()
    },
    terminate(): void {
      for (const client of wss.clients) client.terminate()
    },
  }
}

function protocolError(code: ErrorMessage['code'], message: string, batchId?: string): ErrorMessage {
  return { type: 'error', code, message, ...(batchId === undefined ? {} : { batchId }) }
}

/** Answers an upgrade with a plain HTTP status (the client maps it like an HTTP answer, §5.1). */
function refuse(socket: Duplex, status: number, code: string, message: string, retryAfterSeconds?: number): void {
  if (socket.destroyed) return
  const body = JSON.stringify({ error: { code, message } })
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(retryAfterSeconds === undefined ? [] : [`Retry-After: ${Math.round(retryAfterSeconds * 1000) / 1000}`]),
  ]
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`)
}
