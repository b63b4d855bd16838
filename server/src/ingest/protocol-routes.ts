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
 * mountProtocolRoutes(app, services)
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
