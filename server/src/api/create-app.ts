import { Hono } from 'hono'
import { ApiError } from '../errors/server-errors.ts'
import { mountProtocolRoutes } from '../ingest/protocol-routes.ts'
import { VERSION } from '../version.ts'
import { asApiError, errorResponse } from './error-response.ts'
import { mountRoutes, openApiDocument, type RouteSpec } from './route-spec.ts'
import { ADMIN_ROUTES } from './routes/admin-routes.ts'
import { TRACE_ROUTES } from './routes/trace-routes.ts'
import type { ServerServices } from './server-services.ts'

/**
 * Every documented `/api/v1` route, in the order the OpenAPI document lists them.
 *
 * @example
 * apiRoutes().some((route) => route.method === 'get' && route.path === '/api/v1/traces') // → true
 */
export function apiRoutes(extra: readonly RouteSpec[] = []): RouteSpec[] {
  return [...TRACE_ROUTES, ...ADMIN_ROUTES, ...extra]
}

/**
 * The HTTP application: the protocol endpoints (`/v1/events`, `/v1/policy/check`), the read
 * API under `/api/v1`, its OpenAPI document, `/healthz`, and a 404 in the one error shape for
 * everything else.
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
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const app = createApp(services, { accepting: () => true })
 * (await app.request('/api/v1/traces/tr_1', { headers: { 'x-retrace-key': key.secret } })).status // → 200
 * (await app.request('/api/v1/traces/tr_1')).status // → 401
 * (await app.request('/nowhere')).status // → 404
 * services.connections.dispose()
 * await store.close()
 */
export function createApp(services: ServerServices, state: { accepting: () => boolean }, extraRoutes: readonly RouteSpec[] = []): Hono {
  const app = new Hono()
  const routes = apiRoutes(extraRoutes)
  const openApi = JSON.stringify(openApiDocument(routes, VERSION))
  app.get('/healthz', (c) => c.json({ ok: true, store: services.store.engine, version: VERSION }))
  app.get('/api/v1/openapi.json', () => new Response(openApi, { headers: { 'content-type': 'application/json; charset=utf-8' } }))
  mountProtocolRoutes(app, services, state)
  mountRoutes(app, routes, services)
  app.notFound((c) => errorResponse(new ApiError(404, 'not_found', `No route ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 200)}; see /api/v1/openapi.json.`), { protocol: new URL(c.req.url).pathname.startsWith('/v1/') }))
  app.onError((error, c) => {
    const apiError = asApiError(error)
    if (apiError.status >= 500) services.log.error({ err: error, path: new URL(c.req.url).pathname }, 'request failed')
    return errorResponse(apiError)
  })
  return app
}
