import { Hono } from 'hono'
import { ApiError } from '../errors/server-errors.ts'
import { mountProtocolRoutes } from '../ingest/protocol-routes.ts'
import { VERSION } from '../version.ts'
import { asApiError, errorResponse } from './error-response.ts'
import { mountRoutes, openApiDocument, type RouteSpec } from './route-spec.ts'
import { ADMIN_ROUTES } from './routes/admin-routes.ts'
import { TRACE_ROUTES } from './routes/trace-routes.ts'
import type { ServerServices } from './server-services.ts'

/** Every documented `/api/v1` route, in the order the OpenAPI document lists them. */
export function apiRoutes(extra: readonly RouteSpec[] = []): RouteSpec[] {
  return [...TRACE_ROUTES, ...ADMIN_ROUTES, ...extra]
}

/**
 * The HTTP application: the protocol endpoints (`/v1/events`, `/v1/policy/check`), the read
 * API under `/api/v1`, its OpenAPI document, `/healthz`, and a 404 in the one error shape for
 * everything else.
 *
 * @example
 * const app = createApp(services, { accepting: () => true })
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
