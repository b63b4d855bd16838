import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { authenticate } from '../auth/api-keys.ts'
import { presentedKey } from '../auth/session-cookie.ts'
import { ApiError } from '../errors/server-errors.ts'
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../ingest/validate-batch.ts'
import type { KeyRecord, Scope } from '../store/store.ts'
import { ApiErrorBodySchema, asApiError, errorResponse } from './error-response.ts'
import { parseJsonText, readBodyText, readJsonBody } from './read-body.ts'
import type { ServerServices } from './server-services.ts'

type AnyObject = z.ZodObject<z.ZodRawShape>

/** What a handler gets: the authenticated key and the validated parts of the request. */
export interface RouteInput<P, Q, B> {
  key: KeyRecord
  params: P
  query: Q
  body: B
  request: Request
  services: ServerServices
}

/** A handler's answer: JSON with a status (200 by default), or a ready Response. */
export type RouteResult = { status?: number; body: unknown } | Response

/**
 * One API route: its method and path, the scope its key needs, zod schemas for the path,
 * query and body (validated before the handler runs, and the source of the OpenAPI
 * document), and its answers.
 */
export interface RouteSpec<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'patch' | 'delete'
  /** Hono path syntax: `/api/v1/traces/:traceId`. */
  path: string
  summary: string
  tag: string
  scope: Scope
  params?: P
  query?: Q
  body?: B
  /** Largest body accepted (default 1 MiB). */
  bodyLimit?: number
  responses: Record<number, { description: string; schema?: z.ZodType }>
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult>
}

/**
 * Declares a route with its types inferred from its schemas.
 *
 * @example
 * import { z } from 'zod'
 * const hello = defineRoute({
 *   method: 'get', path: '/api/v1/hello/:name', summary: 'Greets', tag: 'example', scope: 'read',
 *   params: z.object({ name: z.string().max(20) }),
 *   responses: { 200: { description: 'A greeting', schema: z.object({ hello: z.string() }) } },
 *   handler: async ({ params }) => ({ body: { hello: params.name } }),
 * })
 * ;[hello.method, hello.path, hello.scope] // → ['get', '/api/v1/hello/:name', 'read']
 */
export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec
}

/** Whether a body schema accepts no body at all. */
function bodyOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success
}

/** The first problem of a failed validation, as `field: message`. */
function describeIssue(where: string, error: z.ZodError): string {
  const issue = error.issues[0]
  const path = issue?.path.length ? issue.path.join('.') : where
  return `${path}: ${issue?.message ?? 'invalid'}`
}

/**
 * Mounts routes on the app: authentication by `x-retrace-key` (or the dashboard's sign-in
 * cookie, same-origin only) with the route's scope, the
 * per-key rate limit, validation of path, query and body (400 naming the field), then the
 * handler; every failure in the one error shape.
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
 * import { z } from 'zod'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
 * const hello = defineRoute({
 *   method: 'get', path: '/api/v1/hello/:name', summary: 'Greets', tag: 'example', scope: 'read',
 *   params: z.object({ name: z.string().max(20) }),
 *   responses: { 200: { description: 'A greeting', schema: z.object({ hello: z.string() }) } },
 *   handler: async ({ params }) => ({ body: { hello: params.name } }),
 * })
 * const app = new Hono()
 * mountRoutes(app, [hello], services)
 * await (await app.request('/api/v1/hello/Ana', { headers: { 'x-retrace-key': key.secret } })).json() // → { hello: 'Ana' }
 * // Authenticated, rate-limited and validated before the handler runs:
 * (await app.request('/api/v1/hello/Ana')).status // → 401
 * (await app.request(`/api/v1/hello/${'a'.repeat(30)}`, { headers: { 'x-retrace-key': key.secret } })).status // → 400
 * services.connections.dispose()
 * await store.close()
 */
export function mountRoutes(app: Hono, routes: readonly RouteSpec[], services: ServerServices): void {
  for (const route of routes) {
    app.on(route.method.toUpperCase(), route.path, async (c: Context) => {
      try {
        const key = await authenticate(services.store, presentedKey(c.req.raw), route.scope)
        const wait = services.limiter.take(key)
        if (wait > 0) throw new ApiError(429, 'rate_limited', `Too many requests for this API key; retry in ${wait.toFixed(3)} s.`, { retryAfterSeconds: wait })
        const rawParams = c.req.param() as Record<string, string>
        const rawQuery = c.req.query()
        for (const [name, value] of [...Object.entries(rawParams), ...Object.entries(rawQuery)]) {
          // No id or filter the store keeps can hold NUL (PostgreSQL text cannot).
          if (value.includes('\u0000')) throw new ApiError(400, 'bad_request', `${name}: must not contain NUL characters.`)
        }
        const params = route.params ? route.params.safeParse(rawParams) : { success: true as const, data: {} }
        if (!params.success) throw new ApiError(400, 'bad_request', describeIssue('path', params.error))
        const query = route.query ? route.query.safeParse(rawQuery) : { success: true as const, data: {} }
        if (!query.success) throw new ApiError(400, 'bad_request', describeIssue('query', query.error))
        let body: unknown
        if (route.body) {
          // A route whose body schema takes `undefined` may be called without a body.
          const text = bodyOptional(route.body) ? await readBodyText(c.req.raw, route.bodyLimit ?? 1024 * 1024) : undefined
          const raw = text === undefined ? await readJsonBody(c.req.raw, route.bodyLimit ?? 1024 * 1024) : text.trim() === '' ? undefined : parseJsonText(text)
          if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) throw new ApiError(400, 'bad_request', `body: nests deeper than ${MAX_JSON_DEPTH} levels.`)
          const parsed = route.body.safeParse(raw)
          if (!parsed.success) throw new ApiError(400, 'bad_request', describeIssue('body', parsed.error))
          body = parsed.data
        }
        const result = await route.handler({ key, params: params.data, query: query.data, body, request: c.req.raw, services })
        if (result instanceof Response) return result
        return c.json(result.body as object, (result.status ?? 200) as 200)
      } catch (error) {
        const apiError = asApiError(error)
        if (apiError.status >= 500) services.log.error({ err: error, route: `${route.method.toUpperCase()} ${route.path}` }, 'request failed')
        return errorResponse(apiError)
      }
    })
  }
}

const ERROR_RESPONSES: Record<number, string> = {
  400: 'Bad request: the message names the field.',
  401: 'Missing, unknown or revoked API key.',
  403: 'The key lacks the scope.',
  404: 'Not found (or not in this key’s project).',
  429: 'Rate limited; see Retry-After.',
}

/**
 * The OpenAPI 3.1 document of the routes, generated from their zod schemas.
 *
 * @example
 * import { z } from 'zod'
 * const hello = defineRoute({
 *   method: 'get', path: '/api/v1/hello/:name', summary: 'Greets', tag: 'example', scope: 'read',
 *   params: z.object({ name: z.string().max(20) }),
 *   responses: { 200: { description: 'A greeting', schema: z.object({ hello: z.string() }) } },
 *   handler: async ({ params }) => ({ body: { hello: params.name } }),
 * })
 * // Served as: app.get('/api/v1/openapi.json', (c) => c.json(openApiDocument(routes, VERSION)))
 * const document = openApiDocument([hello], '1.0.0') as { openapi: string; paths: Record<string, { get: { summary: string } }> }
 * document.paths['/api/v1/hello/{name}']?.get.summary // → 'Greets'
 */
export function openApiDocument(routes: readonly RouteSpec[], version: string): Record<string, unknown> {
  const schema = (type: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(type, { target: 'draft-2020-12', unrepresentable: 'any', io })
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}')
    const parameters: unknown[] = []
    for (const [where, object] of [['path', route.params], ['query', route.query]] as const) {
      if (!object) continue
      for (const [name, field] of Object.entries(object.shape)) {
        const fieldSchema = field as z.ZodType
        parameters.push({ name, in: where, required: where === 'path' || !fieldSchema.safeParse(undefined).success, description: fieldSchema.description, schema: schema(fieldSchema, 'input') })
      }
    }
    const responses: Record<string, unknown> = {}
    for (const [status, answer] of Object.entries(route.responses)) {
      responses[status] = { description: answer.description, ...(answer.schema ? { content: { 'application/json': { schema: schema(answer.schema, 'output') } } } : {}) }
    }
    for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
      responses[status] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
    }
    paths[path] ??= {}
    paths[path][route.method] = {
      summary: route.summary,
      tags: [route.tag],
      security: [{ apiKey: [] }],
      'x-retrace-scope': route.scope,
      parameters,
      ...(route.body ? { requestBody: { required: !bodyOptional(route.body), content: { 'application/json': { schema: schema(route.body, 'input') } } } } : {}),
      responses,
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Retrace API', version, description: 'The Retrace server’s read API, cassette upload and key management. Every error is { "error": { "code", "message" } }.' },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-retrace-key' } },
      schemas: { Error: schema(ApiErrorBodySchema, 'output') },
    },
    paths,
  }
}
