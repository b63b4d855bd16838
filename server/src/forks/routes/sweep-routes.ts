import { z } from 'zod'
import { defineRoute } from '../../api/route-spec.ts'
import { orNotFound } from '../../api/routes/trace-routes.ts'
import { SweepSchema, sweepView } from '../sweeps/sweep-view.ts'
import { announceQueued, newForkAt, resolveForkPoint } from './fork-lookup.ts'
import { FunctionNameSchema, idField, ModifiedInputSchema } from './fork-routes.ts'

/** The default number of a sweep's variants run at once (the seed's). */
export const DEFAULT_SWEEP_CONCURRENCY = 3
export const ConcurrencySchema = z.number().int().min(1).max(100).describe(`Most variants running at once, across every server process and worker (default ${DEFAULT_SWEEP_CONCURRENCY}).`)
const sweepParams = z.object({ sweepId: idField() })

export const createSweep = defineRoute({
  method: 'post',
  path: '/api/v1/forks/sweep',
  tag: 'sweeps',
  summary:
    'Fork a run at one span with several inputs at once: each variant is a fork, run with at most `concurrency` in flight (default 3) across every server process and worker. Progress is checkpointed in the store: after a server crash the sweep resumes and no variant that completed runs again.',
  scope: 'ingest',
  body: z.strictObject({
    trace_id: idField(),
    fork_point_span_id: idField(),
    variants: z.array(z.strictObject({ label: z.string().min(1).max(200), modified_input: ModifiedInputSchema })).min(1).max(500),
    concurrency: ConcurrencySchema.optional(),
    function: FunctionNameSchema.optional(),
  }),
  responses: { 201: { description: 'The sweep, its variants queued.', schema: SweepSchema } },
  async handler({ key, body, services }) {
    const resolved = await resolveForkPoint(services, key.projectId, body.trace_id, body.fork_point_span_id)
    const variants = body.variants.map((variant) => newForkAt(key.projectId, resolved, variant.modified_input, body.function, { label: variant.label }))
    const { sweep, forks } = await services.store.forks.createSweep(
      { projectId: key.projectId, kind: 'sweep', traceId: body.trace_id, spanId: body.fork_point_span_id, concurrency: body.concurrency ?? DEFAULT_SWEEP_CONCURRENCY, params: null },
      variants,
    )
    await announceQueued(services, key.projectId)
    return { status: 201, body: await sweepView(services, sweep, forks) }
  },
})

export const getSweep = defineRoute({
  method: 'get',
  path: '/api/v1/forks/sweep/:sweepId',
  tag: 'sweeps',
  summary: 'A sweep’s progress and each variant’s status and result (its output, and its divergence from the original run).',
  scope: 'read',
  params: sweepParams,
  responses: { 200: { description: 'The sweep.', schema: SweepSchema } },
  async handler({ key, params, services }) {
    return { body: await sweepView(services, orNotFound(await services.store.forks.getSweep(key.projectId, params.sweepId), 'sweep', params.sweepId)) }
  },
})

export const cancelSweep = defineRoute({
  method: 'post',
  path: '/api/v1/forks/sweep/:sweepId/cancel',
  tag: 'sweeps',
  summary: 'Cancel a sweep: variants not started are cancelled; the running ones finish (a worker is never interrupted mid-run).',
  scope: 'ingest',
  params: sweepParams,
  responses: { 200: { description: 'The sweep.', schema: SweepSchema } },
  async handler({ key, params, services }) {
    return { body: await sweepView(services, orNotFound(await services.store.forks.cancelSweep(key.projectId, params.sweepId), 'sweep', params.sweepId)) }
  },
})
