import type { Hono } from 'hono'
import { z } from 'zod'
import { authenticate } from '../auth/api-keys.ts'
import { ApiError } from '../errors/server-errors.ts'
import { asApiError, errorResponse } from '../api/error-response.ts'
import { readJsonBody } from '../api/read-body.ts'
import type { ServerServices } from '../api/server-services.ts'
import type { KeyRecord } from '../store/store.ts'
import { assertSameOrigin, presentedKey, sessionCookie } from '../auth/session-cookie.ts'

export const SESSION_PATH = '/api/v1/dashboard/session'

async function describeSession(key: KeyRecord, services: ServerServices) {
  const project = await services.store.getProject(key.projectId)
  return {
    project: { id: key.projectId, name: project?.name ?? key.projectId },
    key: { id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes },
    sharing: services.config.sharing,
  }
}

/**
 * Mounts the dashboard's session: `GET /api/v1/dashboard/session` says who the sign-in cookie
 * (or `x-retrace-key`) belongs to — `{ "signedIn": false }` without one, 401 for a revoked
 * or unknown key; `POST` `{ "key": "rt_live_…" }` checks the key and keeps it in an httpOnly,
 * SameSite=Strict cookie; `DELETE` clears it. POST and DELETE refuse cross-site requests and
 * need the `x-retrace-csrf` header.
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
 * const app = new Hono()
 * mountSessionRoutes(app, services)
 * const signIn = await app.request('http://127.0.0.1:8787/api/v1/dashboard/session', { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:8787', 'x-retrace-csrf': '1' }, body: JSON.stringify({ key: key.secret }) })
 * signIn.status // → 200
 * signIn.headers.get('set-cookie')?.includes('HttpOnly') // → true
 * await (await app.request('http://127.0.0.1:8787/api/v1/dashboard/session')).json() // → { signedIn: false }
 * services.connections.dispose()
 * await store.close()
 */
export function mountSessionRoutes(app: Hono, services: ServerServices): void {
  app.get(SESSION_PATH, async (c) => {
    try {
      const presented = presentedKey(c.req.raw)
      if (presented === undefined) return c.json({ signedIn: false }, 200, { 'cache-control': 'no-store' })
      const key = await authenticate(services.store, presented, 'read')
      return c.json({ signedIn: true, ...(await describeSession(key, services)) }, 200, { 'cache-control': 'no-store' })
    } catch (error) {
      return errorResponse(asApiError(error))
    }
  })
  app.post(SESSION_PATH, async (c) => {
    try {
      assertSameOrigin(c.req.raw)
      const body = z.strictObject({ key: z.string().min(1).max(256) }).safeParse(await readJsonBody(c.req.raw, 4096))
      if (!body.success) throw new ApiError(400, 'bad_request', 'key: paste an API key (rt_live_…).')
      const key = await authenticate(services.store, body.data.key, 'read')
      const wait = services.limiter.take(key)
      if (wait > 0) throw new ApiError(429, 'rate_limited', `Too many requests for this API key; retry in ${wait.toFixed(3)} s.`, { retryAfterSeconds: wait })
      const response = c.json({ signedIn: true, ...(await describeSession(key, services)) })
      response.headers.append('set-cookie', sessionCookie(c.req.raw, body.data.key.trim()))
      response.headers.set('cache-control', 'no-store')
      return response
    } catch (error) {
      return errorResponse(asApiError(error))
    }
  })
  app.delete(SESSION_PATH, (c) => {
    try {
      assertSameOrigin(c.req.raw)
    } catch (error) {
      return errorResponse(asApiError(error))
    }
    const response = c.json({ signedOut: true })
    response.headers.append('set-cookie', sessionCookie(c.req.raw, undefined))
    return response
  })
}
