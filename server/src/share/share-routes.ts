import type { Hono } from 'hono'
import { z } from 'zod'
import { buildTopology } from '@retrace/detectors'
import { ApiError } from '../errors/server-errors.ts'
import { asApiError, errorResponse } from '../api/error-response.ts'
import { defineRoute } from '../api/route-spec.ts'
import { buildSpanTree, orNotFound } from '../api/routes/trace-routes.ts'
import type { ServerServices } from '../api/server-services.ts'
import { newId } from '../store/sql/sql-store.ts'
import { generateShareToken, hashShareToken, isShareLinkActive, ShareLinkSchema, SHARE_TOKEN_PREFIX, type ShareLink } from '../store/share-link.ts'

/** The page a share link opens (served by the dashboard). */
export const SHARE_PAGE_PATH = '/s/'

/** Longest expiry accepted: a year. */
const MAX_EXPIRY_HOURS = 24 * 366

function sharingOff(): ApiError {
  return new ApiError(403, 'forbidden', 'Sharing is turned off on this server (--sharing off / RETRACE_SHARING=off).')
}

const ShareStatusSchema = z.object({ sharing: z.enum(['on', 'off']).describe('The instance-wide switch (--sharing).') })

export const createShare = defineRoute({
  method: 'post',
  path: '/api/v1/shares',
  tag: 'shares',
  summary: 'Create a public read-only link to one trace. The token is in the answer, once; only its hash is stored.',
  scope: 'admin',
  body: z.strictObject({
    traceId: z.string().min(1).max(1024),
    expiresInHours: z.number().positive().max(MAX_EXPIRY_HOURS).optional().describe('The link stops working after this many hours; omit for a link that never expires.'),
  }),
  responses: {
    201: { description: 'The link: its record, the token (shown once) and the page URL.', schema: z.object({ share: ShareLinkSchema, token: z.string(), url: z.string(), path: z.string() }) },
    404: { description: 'No such trace in this project.' },
  },
  async handler({ key, body, request, services }) {
    if (services.config.sharing === 'off') throw sharingOff()
    orNotFound(await services.store.getTrace(key.projectId, body.traceId), 'trace', body.traceId)
    const made = generateShareToken()
    const expiresMs = body.expiresInHours === undefined ? null : Date.now() + Math.round(body.expiresInHours * 3_600_000)
    const share = await services.store.shares.create({ id: newId('shr'), projectId: key.projectId, traceId: body.traceId, tokenHash: made.hash, tokenPrefix: made.prefix, expiresMs })
    const path = `${SHARE_PAGE_PATH}${made.token}`
    return { status: 201, body: { share, token: made.token, path, url: `${new URL(request.url).origin}${path}` } }
  },
})

export const listShares = defineRoute({
  method: 'get',
  path: '/api/v1/shares',
  tag: 'shares',
  summary: 'The project’s share links, newest first (revoked and expired ones included), and whether sharing is on.',
  scope: 'read',
  query: z.object({ traceId: z.string().min(1).max(1024).optional().describe('Only the links to this trace.') }),
  responses: { 200: { description: 'The links.', schema: ShareStatusSchema.extend({ shares: z.array(ShareLinkSchema) }) } },
  async handler({ key, query, services }) {
    return { body: { sharing: services.config.sharing, shares: await services.store.shares.list(key.projectId, { traceId: query.traceId }) } }
  },
})

export const revokeShare = defineRoute({
  method: 'delete',
  path: '/api/v1/shares/:shareId',
  tag: 'shares',
  summary: 'Revoke a share link: it answers 404 from now on, on every server process.',
  scope: 'admin',
  params: z.object({ shareId: z.string().min(1).max(200) }),
  responses: { 200: { description: 'The revoked link.', schema: z.object({ share: ShareLinkSchema }) }, 404: { description: 'No such link in this project.' } },
  async handler({ key, params, services }) {
    return { body: { share: orNotFound(await services.store.shares.revoke(key.projectId, params.shareId as string), 'share link', params.shareId as string) } }
  },
})

/** The key-authenticated share routes (mounted with the rest of `/api/v1`). */
export const SHARE_ROUTES = [createShare, listShares, revokeShare]

/** What a public page may know and nothing more: no project, key or other trace. */
const PUBLIC_HEADERS = {
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'referrer-policy': 'no-referrer',
  'content-type': 'application/json; charset=utf-8',
}

/**
 * Mounts the public side of share links, the only `/api/v1` routes without a key:
 * `GET /api/v1/shared/:token` (the trace, its span tree and agent topology) and
 * `GET /api/v1/shared/:token/cassette` (a pushed trace's cassette). Unknown, revoked and
 * expired tokens — and every token while sharing is off — get the same 404.
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
 * import { generateShareToken } from '../store/share-link.ts'
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
 * const { token, hash, prefix } = generateShareToken()
 * await store.shares.create({ id: 'sh_1', projectId: project.id, traceId: 'tr_1', tokenHash: hash, tokenPrefix: prefix, expiresMs: null })
 * const app = new Hono()
 * mountSharedRoutes(app, services)
 * // No API key: the token is the permission.
 * const shared = await (await app.request(`/api/v1/shared/${token}`)).json()
 * shared.trace.id // → 'tr_1'
 * (await app.request('/api/v1/shared/rts_wrong')).status // → 404
 * services.connections.dispose()
 * await store.close()
 */
export function mountSharedRoutes(app: Hono, services: ServerServices): void {
  const open = async (token: string): Promise<ShareLink> => {
    const gone = new ApiError(404, 'not_found', 'This share link does not exist, was revoked or has expired.')
    if (services.config.sharing === 'off') throw new ApiError(404, 'not_found', 'Sharing is turned off on this server.')
    if (!token.startsWith(SHARE_TOKEN_PREFIX) || token.length > 200) throw gone
    const link = await services.store.shares.findByTokenHash(hashShareToken(token))
    if (!link || !isShareLinkActive(link, Date.now())) throw gone
    // Public pages are rate limited per link, like keys are.
    const wait = services.limiter.take(`share:${link.id}`)
    if (wait > 0) throw new ApiError(429, 'rate_limited', `Too many requests for this link; retry in ${wait.toFixed(3)} s.`, { retryAfterSeconds: wait })
    return link
  }
  const answer = (handler: (link: ShareLink) => Promise<unknown>) => async (c: { req: { param(name: string): string | undefined } }) => {
    try {
      const link = await open(c.req.param('token') ?? '')
      const body = await handler(link)
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200, headers: PUBLIC_HEADERS })
    } catch (error) {
      const apiError = asApiError(error)
      if (apiError.status >= 500) services.log.error({ err: error, route: 'GET /api/v1/shared/:token' }, 'request failed')
      const response = errorResponse(apiError)
      for (const [name, value] of Object.entries(PUBLIC_HEADERS)) response.headers.set(name, value)
      return response
    }
  }
  app.get(
    '/api/v1/shared/:token',
    answer(async (link) => {
      const found = await services.store.getTrace(link.projectId, link.traceId)
      if (!found) throw new ApiError(404, 'not_found', 'The shared trace no longer exists.')
      const { projectId: _project, ...trace } = found.trace
      return { share: { expiresAt: link.expiresAt }, trace, spans: buildSpanTree(found.spans), topology: buildTopology(found.spans) }
    }),
  )
  app.get(
    '/api/v1/shared/:token/cassette',
    answer(async (link) => {
      const body = await services.store.getCassetteBody(link.projectId, link.traceId)
      if (body === undefined) throw new ApiError(422, 'no_cassette', 'This trace was streamed by the SDK, not pushed as a cassette: it has no recorded HTTP exchanges.')
      return body
    }),
  )
}
