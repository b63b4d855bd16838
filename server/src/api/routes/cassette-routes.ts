import { z } from 'zod'
import { CASSETTE_VERSION, CassetteSchema, findSecrets, StepSchema } from '@retrace/cassettes'
import { cassetteHash, cassetteToTrace } from '../../cassettes/cassette-trace.ts'
import { cassetteOfTrace } from '../../forks/cassette/trace-cassette.ts'
import { ApiError } from '../../errors/server-errors.ts'
import { GitMetadataSchema, TraceSummarySchema } from '../../store/store.ts'
import { defineRoute } from '../route-spec.ts'
import { orNotFound } from './trace-routes.ts'

/** Largest cassette upload accepted. */
export const MAX_CASSETTE_BYTES = 64 * 1024 * 1024

export const pushCassette = defineRoute({
  method: 'post',
  path: '/api/v1/cassettes',
  tag: 'cassettes',
  summary:
    'Store a format-v1 cassette as a trace (its LLM calls as llm spans with their steps), with optional git metadata. Validated by the cassette schema and secret-scanned: a cassette holding a secret is refused with its JSON path and nothing is stored. Idempotent by content hash.',
  scope: 'ingest',
  bodyLimit: MAX_CASSETTE_BYTES,
  body: z.strictObject({
    cassette: z.unknown().describe('The cassette, format v1, as written by Retrace.'),
    name: z.string().min(1).max(2000).optional().describe('Trace name (default: the recording test’s file › name).'),
    git: GitMetadataSchema.strict().optional(),
    steps: z.array(StepSchema.nullable()).optional().describe('The full provider-neutral step of each interaction (null for non-LLM ones), as `retrace push` computes them; default: the steps stored in the cassette.'),
  }),
  responses: {
    201: { description: 'Stored as a new trace.', schema: z.object({ trace: TraceSummarySchema, created: z.literal(true) }) },
    200: { description: 'Already stored (same content): the existing trace.', schema: z.object({ trace: TraceSummarySchema, created: z.literal(false) }) },
    422: { description: 'A secret-shaped value (code secret_found, JSON paths in the message) or an invalid cassette (invalid_cassette).' },
  },
  async handler({ key, body, services }) {
    const secrets = findSecrets(body)
    if (secrets.length) {
      const paths = secrets.slice(0, 20).map((finding) => `${finding.path.replace(/^\$\.cassette/, '$')} (${finding.kind})`)
      throw new ApiError(422, 'secret_found', `The cassette holds ${secrets.length} secret-shaped value(s) at ${paths.join(', ')}${secrets.length > 20 ? ', …' : ''}; nothing was stored. Redact them and push again.`)
    }
    const version = typeof body.cassette === 'object' && body.cassette !== null ? (body.cassette as { version?: unknown }).version : undefined
    if (typeof version === 'number' && version > CASSETTE_VERSION) throw new ApiError(422, 'invalid_cassette', `The cassette uses format v${version}; this server reads up to v${CASSETTE_VERSION}. Upgrade @retrace/server.`)
    const parsed = CassetteSchema.safeParse(body.cassette)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const path = ['$', ...issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))].join('')
      throw new ApiError(422, 'invalid_cassette', `Not a format-v1 cassette: ${path}: ${issue.message}.`)
    }
    const cassette = parsed.data
    if (body.steps && body.steps.length !== cassette.interactions.length) throw new ApiError(400, 'bad_request', `steps: ${body.steps.length} given for ${cassette.interactions.length} interactions.`)
    const hash = cassetteHash(cassette)
    const existing = await services.store.findCassetteTrace(key.projectId, hash)
    if (existing) return { status: 200, body: { trace: (await services.store.getTrace(key.projectId, existing))!.trace, created: false } }
    const trace = cassetteToTrace(cassette, { name: body.name, git: body.git, steps: body.steps, receivedAt: new Date(), hash })
    const stored = await services.store.storeCassetteTrace({ ...trace, projectId: key.projectId, body: JSON.stringify(cassette) })
    await services.store.feed.publish({ kind: 'traces.changed', projectId: key.projectId, traceIds: [stored.traceId] })
    return { status: stored.created ? 201 : 200, body: { trace: (await services.store.getTrace(key.projectId, stored.traceId))!.trace, created: stored.created } }
  },
})

export const pullCassette = defineRoute({
  method: 'get',
  path: '/api/v1/traces/:traceId/cassette',
  tag: 'cassettes',
  summary:
    'A trace as a format-v1 cassette that replays offline: a pushed cassette as pushed, a trace streamed by the SDK rebuilt from the HTTP exchanges of its LLM spans. Once a fork was committed as the trace’s baseline (POST /api/v1/forks/{forkId}/commit), the baseline’s cassette (x-retrace-baseline names its trace); ?original=true for the trace’s own.',
  scope: 'read',
  params: z.object({ traceId: z.string().min(1).max(1024) }),
  query: z.object({ original: z.enum(['true', 'false']).optional().describe('true: the trace’s own recording, even after a commit.') }),
  responses: {
    200: { description: 'The cassette.', schema: CassetteSchema },
    404: { description: 'No such trace in this project.' },
    422: { description: 'no_cassette: the trace’s LLM calls came without their HTTP exchanges (captureContent: false, an older SDK, an exchange over maxPayloadChars).' },
  },
  async handler({ key, params, query, services }) {
    const baseline = query.original === 'true' ? undefined : (await services.store.forks.lineage(key.projectId, params.traceId)).at(-1)
    const traceId = baseline?.baselineTraceId ?? params.traceId
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...(baseline ? { 'x-retrace-baseline': traceId } : {}) }
    const body = await services.store.getCassetteBody(key.projectId, traceId)
    if (body !== undefined) return new Response(body, { headers })
    const outcome = orNotFound(await cassetteOfTrace(services.store, key.projectId, traceId), 'trace', traceId)
    if ('problem' in outcome) throw new ApiError(422, 'no_cassette', outcome.problem)
    return new Response(JSON.stringify(outcome.cassette), { headers })
  },
})

export const CASSETTE_ROUTES = [pushCassette, pullCassette]
