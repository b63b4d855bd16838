import { z } from 'zod'
import { defineRoute } from '../../api/route-spec.ts'
import type { ServerServices } from '../../api/server-services.ts'
import { orNotFound } from '../../api/routes/trace-routes.ts'
import { ApiError } from '../../errors/server-errors.ts'
import { ForkSchema, forkView, type BaselineRecord } from '../../store/fork-records.ts'
import { forkOrNotFound } from './fork-lookup.ts'
import { forkParams, idField } from './fork-routes.ts'

export const BaselineSchema = z.object({
  trace_id: z.string().describe('The recorded run (the root of the lineage).'),
  baseline_trace_id: z.string().nullable().describe('The trace `retrace pull <trace_id>` now yields (null: the run itself).'),
  lineage: z.array(z.object({ seq: z.number().int(), baseline_trace_id: z.string(), fork_id: z.string(), committed_at: z.string() })).describe('Every commit, oldest first.'),
})

function baselineView(traceId: string, lineage: readonly BaselineRecord[]): z.infer<typeof BaselineSchema> {
  return {
    trace_id: traceId,
    baseline_trace_id: lineage.at(-1)?.baselineTraceId ?? null,
    lineage: lineage.map((entry) => ({ seq: entry.seq, baseline_trace_id: entry.baselineTraceId, fork_id: entry.forkId, committed_at: new Date(entry.committedMs).toISOString() })),
  }
}

/** The run a trace's lineage hangs from: the trace itself, or the run it is the baseline of. */
async function lineageRoot(services: ServerServices, projectId: string, traceId: string): Promise<string> {
  return (await services.store.forks.baselineOwner(projectId, traceId)) ?? traceId
}

export const commitFork = defineRoute({
  method: 'post',
  path: '/api/v1/forks/:forkId/commit',
  tag: 'forks',
  summary:
    'Make a completed fork its trace’s new baseline, keeping the lineage (every commit, in order): `retrace pull <trace>` (GET /api/v1/traces/{traceId}/cassette) then yields the fork’s cassette. A fork of a baseline commits to the run that baseline belongs to. 409 until the fork completed.',
  scope: 'ingest',
  params: forkParams,
  responses: { 200: { description: 'The fork and the trace’s baseline.', schema: z.object({ fork: ForkSchema, baseline: BaselineSchema }) }, 409: { description: 'The fork did not complete.' } },
  async handler({ key, params, services }) {
    const fork = await forkOrNotFound(services, key.projectId, params.forkId)
    if (fork.status !== 'completed' || !fork.forkTraceId) throw new ApiError(409, 'conflict', `Fork ${fork.id} is ${fork.status}: only a completed fork can become the baseline.`)
    const root = await lineageRoot(services, key.projectId, fork.traceId)
    const lineage = await services.store.forks.lineage(key.projectId, root)
    if (lineage.at(-1)?.baselineTraceId !== fork.forkTraceId) await services.store.forks.commitBaseline(key.projectId, root, { id: fork.id, forkTraceId: fork.forkTraceId })
    await services.store.feed.publish({ kind: 'traces.changed', projectId: key.projectId, traceIds: [root] })
    return { body: { fork: forkView((await services.store.forks.getFork(key.projectId, fork.id))!), baseline: baselineView(root, await services.store.forks.lineage(key.projectId, root)) } }
  },
})

export const getBaseline = defineRoute({
  method: 'get',
  path: '/api/v1/traces/:traceId/baseline',
  tag: 'forks',
  summary: 'A trace’s baseline and lineage: the forks committed on it, oldest first.',
  scope: 'read',
  params: z.object({ traceId: idField() }),
  responses: { 200: { description: 'The baseline.', schema: BaselineSchema } },
  async handler({ key, params, services }) {
    orNotFound(await services.store.getTrace(key.projectId, params.traceId), 'trace', params.traceId)
    return { body: baselineView(params.traceId, await services.store.forks.lineage(key.projectId, params.traceId)) }
  },
})
