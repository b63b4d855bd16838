import { z } from 'zod'
import { WireSpanSchema, type WireSpan } from '@retrace/protocol'
import { ApiError } from '../../errors/server-errors.ts'
import { decodeCursor } from '../../store/sql/row-mapping.ts'
import { SessionSchema, TRACE_SORTS, TraceRecordSchema, TraceStatusSchema, TraceSummarySchema } from '../../store/store.ts'
import { defineRoute } from '../route-spec.ts'

const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true')
const timeQuery = z
  .string()
  .max(100)
  .transform((value, context) => {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
    if (!Number.isSafeInteger(ms)) {
      context.addIssue({ code: 'custom', message: 'expected an ISO 8601 time or epoch milliseconds' })
      return z.NEVER
    }
    return ms
  })
const limitQuery = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback)
const cursorQuery = z.string().max(2000).describe('nextCursor of the previous page.')

/** A cursor this server made, or 400. */
function after(cursor: string | undefined): [number, string] | undefined {
  if (cursor === undefined) return undefined
  const key = decodeCursor(cursor)
  if (!key) throw new ApiError(400, 'bad_request', 'cursor: not a cursor from this API; pass the nextCursor of the previous page.')
  return key
}

/**
 * The thing found, or a 404 in the API's error shape (the same answer whether it does not
 * exist or belongs to another project).
 *
 * @example
 * import assert from 'node:assert/strict'
 * import { ApiError } from '../../errors/server-errors.ts'
 * // In a route: const trace = orNotFound(await store.getTrace(projectId, id), 'trace', id)
 * orNotFound({ id: 'tr_1' }, 'trace', 'tr_1') // → { id: 'tr_1' }
 * assert.throws(() => orNotFound(undefined, 'trace', 'tr_9'), (error: ApiError) => error.status === 404)
 */
export function orNotFound<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined) throw new ApiError(404, 'not_found', `No ${what} ${id.slice(0, 200)} in this project.`)
  return value
}

const idParam = (name: string) => z.object({ [name]: z.string().min(1).max(1024) })

export const listTraces = defineRoute({
  method: 'get',
  path: '/api/v1/traces',
  tag: 'traces',
  summary: 'List traces, newest first, with filters and cursor pagination.',
  scope: 'read',
  query: z.object({
    name: z.string().max(10_000).optional().describe('The recorded function’s name.'),
    session: z.string().max(1024).optional().describe('Session id.'),
    status: TraceStatusSchema.optional(),
    tag: z.string().max(10_000).optional(),
    from: timeQuery.optional().describe('Started at or after (ISO 8601 or epoch ms).'),
    to: timeQuery.optional().describe('Started before (ISO 8601 or epoch ms).'),
    hasError: booleanQuery.optional().describe('A failed run or any error span.'),
    lossy: booleanQuery.optional(),
    q: z.string().min(1).max(1000).optional().describe('Search: a case-insensitive substring of the name, id, session, input or output.'),
    minCost: z.coerce.number().nonnegative().optional().describe('The run cost at least this many USD.'),
    maxCost: z.coerce.number().nonnegative().optional().describe('The run cost at most this many USD.'),
    sort: z.enum(TRACE_SORTS).optional().describe('newest (default), oldest, cost (highest first) or duration (longest first); a cursor continues the order it came from.'),
    limit: limitQuery(200, 50),
    cursor: cursorQuery.optional(),
  }),
  responses: { 200: { description: 'A page of traces.', schema: z.object({ traces: z.array(TraceSummarySchema), nextCursor: z.string().nullable() }) } },
  async handler({ key, query, services }) {
    const page = await services.store.listTraces(key.projectId, {
      name: query.name,
      sessionId: query.session,
      status: query.status,
      tag: query.tag,
      fromMs: query.from,
      toMs: query.to,
      hasError: query.hasError,
      lossy: query.lossy,
      search: query.q,
      minUsd: query.minCost,
      maxUsd: query.maxCost,
      sort: query.sort,
      limit: query.limit,
      after: after(query.cursor),
    })
    return { body: { traces: page.items, nextCursor: page.nextCursor } }
  },
})

/** A span with its children, as the trace view shows it. */
export type SpanNode = WireSpan & { children: SpanNode[] }

const SpanNodeSchema: z.ZodType<SpanNode> = WireSpanSchema.extend({
  get children() {
    return z.array(SpanNodeSchema)
  },
}) as unknown as z.ZodType<SpanNode>

/**
 * The span tree from `parentId`: spans whose parent is missing (lost, or not arrived yet) are
 * roots too, so nothing stored is hidden. Children keep the order given (start time).
 *
 * @example
 * const span = (id: string, parentId?: string) => ({ id, traceId: 't1', kind: 'span' as const, name: id, startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:00:01.000Z', durationMs: 1000, status: 'ok' as const, ...(parentId ? { parentId } : {}) })
 * const [root] = buildSpanTree([span('child', 'root'), span('root')])
 * ;[root!.id, root!.children.map((child) => child.id)] // → ['root', ['child']]
 */
export function buildSpanTree(spans: readonly WireSpan[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>()
  for (const span of spans) if (!nodes.has(span.id)) nodes.set(span.id, { ...span, children: [] })
  const roots: SpanNode[] = []
  for (const node of nodes.values()) {
    const parent = node.parentId !== undefined && node.parentId !== node.id ? nodes.get(node.parentId) : undefined
    if (parent && !isAncestor(node, parent, nodes)) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}

/** A parent chain that loops back to the node (bad ids) would hide the spans: cut it. */
function isAncestor(node: SpanNode, candidate: SpanNode, nodes: Map<string, SpanNode>): boolean {
  let current: SpanNode | undefined = candidate
  for (let depth = 0; current && depth < 10_000; depth++) {
    if (current === node) return true
    current = current.parentId !== undefined ? nodes.get(current.parentId) : undefined
  }
  return false
}

export const getTrace = defineRoute({
  method: 'get',
  path: '/api/v1/traces/:traceId',
  tag: 'traces',
  summary: 'One trace: its span tree (each LLM span with its provider-neutral step) and totals.',
  scope: 'read',
  params: idParam('traceId'),
  responses: { 200: { description: 'The trace.', schema: z.object({ trace: TraceRecordSchema, spans: z.array(SpanNodeSchema) }) }, 404: { description: 'No such trace in this project.' } },
  async handler({ key, params, services }) {
    const found = orNotFound(await services.store.getTrace(key.projectId, params.traceId as string), 'trace', params.traceId as string)
    return { body: { trace: found.trace, spans: buildSpanTree(found.spans) } }
  },
})

export const listSessions = defineRoute({
  method: 'get',
  path: '/api/v1/sessions',
  tag: 'sessions',
  summary: 'List sessions (traces grouped by sessionId), most recent first.',
  scope: 'read',
  query: z.object({ limit: limitQuery(200, 50), cursor: cursorQuery.optional() }),
  responses: { 200: { description: 'A page of sessions.', schema: z.object({ sessions: z.array(SessionSchema), nextCursor: z.string().nullable() }) } },
  async handler({ key, query, services }) {
    const page = await services.store.listSessions(key.projectId, { limit: query.limit, after: after(query.cursor) })
    return { body: { sessions: page.items, nextCursor: page.nextCursor } }
  },
})

export const getSession = defineRoute({
  method: 'get',
  path: '/api/v1/sessions/:sessionId',
  tag: 'sessions',
  summary: 'One session and its traces, oldest first.',
  scope: 'read',
  params: idParam('sessionId'),
  responses: { 200: { description: 'The session.', schema: z.object({ session: SessionSchema, traces: z.array(TraceSummarySchema) }) }, 404: { description: 'No such session in this project.' } },
  async handler({ key, params, services }) {
    return { body: orNotFound(await services.store.getSession(key.projectId, params.sessionId as string), 'session', params.sessionId as string) }
  },
})

export const TRACE_ROUTES = [listTraces, getTrace, listSessions, getSession]
