import type { Hono } from 'hono'
import { API_KEY_HEADER, EVENTS_PATH, POLICY_CHECK_PATH, PolicyCheckSchema } from '@retrace/protocol'
import { asApiError, errorResponse } from '../api/error-response.ts'
import { readBodyText } from '../api/read-body.ts'
import type { ServerServices } from '../api/server-services.ts'
import { authenticate } from '../auth/api-keys.ts'
import { ApiError } from '../errors/server-errors.ts'
import { dayOf } from '../store/sql/ingest-sql.ts'
import { ingestBatch } from './ingest-service.ts'
import { MAX_JSON_DEPTH, nestsDeeperThan } from './validate-batch.ts'
import { decidePolicy } from './policy.ts'

/**
 * The protocol's HTTP endpoints: `POST /v1/events` (one batch, answered 200 with the ack
 * counts after commit, PROTOCOL.md §6) and `POST /v1/policy/check` (§9). Errors carry the
 * status the client acts on, with `Retry-After` on 429/402.
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
 * import { Hono } from 'hono'
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
 * const app = new Hono()
 * mountProtocolRoutes(app, services, { accepting: () => true })
 * const answer = await app.request('/v1/events', { method: 'POST', headers: { 'x-retrace-key': key.secret, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'batch', batchId: 'b1', events: run('tr_1', ['Sunny, 18 °C.']) }) })
 * answer.status // → 200
 * (await answer.json()).accepted // → 3
 * services.connections.dispose()
 * await store.close()
 */
export function mountProtocolRoutes(app: Hono, services: ServerServices, state: { accepting: () => boolean }): void {
  const guard = async (request: Request): Promise<Awaited<ReturnType<typeof authenticate>>> => {
    if (!state.accepting()) throw new ApiError(503, 'unavailable', 'The server is shutting down; send it again.')
    const key = await authenticate(services.store, request.headers.get(API_KEY_HEADER), 'ingest')
    const wait = services.limiter.take(key)
    if (wait > 0) throw new ApiError(429, 'rate_limited', 'Too many requests for this API key.', { retryAfterSeconds: wait })
    return key
  }
  const failed = (error: unknown, what: string): Response => {
    const apiError = asApiError(error)
    if (apiError.status >= 500 && apiError.apiCode !== 'unavailable') services.log.error({ err: error }, `${what} failed`)
    return errorResponse(apiError, { protocol: true })
  }

  app.post(EVENTS_PATH, async (c) => {
    try {
      const key = await guard(c.req.raw)
      const outcome = await services.writer.track(async () => ingestBatch(services, key, await readBodyText(c.req.raw, services.config.maxFrameBytes)))
      if (outcome.kind === 'bad_request') throw new ApiError(400, 'bad_request', outcome.message)
      if (outcome.kind === 'credits_exhausted') throw new ApiError(402, 'credits_exhausted', outcome.message, { retryAfterSeconds: outcome.retryAfterSeconds })
      return c.json({ batchId: outcome.batchId, accepted: outcome.accepted, duplicates: outcome.duplicates, ...(outcome.rejected.length ? { rejected: outcome.rejected } : {}) })
    } catch (error) {
      return failed(error, 'POST /v1/events')
    }
  })

  app.post(POLICY_CHECK_PATH, async (c) => {
    try {
      const key = await guard(c.req.raw)
      let raw: unknown
      try {
        raw = JSON.parse(await readBodyText(c.req.raw, 1024 * 1024))
      } catch (error) {
        if (error instanceof ApiError) throw error
        throw new ApiError(400, 'bad_request', 'The body is not JSON.')
      }
      if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) throw new ApiError(400, 'bad_request', `body: nests deeper than ${MAX_JSON_DEPTH} levels.`)
      const check = PolicyCheckSchema.safeParse(raw)
      if (!check.success) throw new ApiError(400, 'bad_request', `${check.error.issues[0]?.path.join('.') || 'body'}: ${check.error.issues[0]?.message ?? 'invalid'}`)
      const project = await services.store.getProject(key.projectId)
      if (!project) throw new ApiError(401, 'unauthorized', 'The project of this API key no longer exists.')
      const usdToday = project.budgets.usdPerDay === null ? 0 : (await services.store.usageOn(project.id, dayOf(Date.now()))).usd
      return c.json(decidePolicy(project, check.data, { usdToday }))
    } catch (error) {
      return failed(error, 'POST /v1/policy/check')
    }
  })
}
