import { z } from 'zod'
import { defineRoute } from '../../api/route-spec.ts'
import type { ServerServices } from '../../api/server-services.ts'
import { orNotFound } from '../../api/routes/trace-routes.ts'
import { ApiError } from '../../errors/server-errors.ts'
import { diffFork, ForkDiffSchema, type ForkDiff } from '../diff/fork-diff.ts'
import type { ForkRecord } from '../../store/fork-records.ts'
import { forkOrNotFound } from './fork-lookup.ts'
import { forkParams, idField } from './fork-routes.ts'

/**
 * The diff of a fork that ran (409 until it has a trace).
 *
 * @example
 * const diff = await diffOf(services, key.projectId, fork)
 */
export async function diffOf(services: ServerServices, projectId: string, fork: ForkRecord): Promise<ForkDiff> {
  if (!fork.forkTraceId) throw new ApiError(409, 'conflict', `Fork ${fork.id} has not run yet (status ${fork.status}): replay it first (POST /api/v1/forks/${fork.id}/replay).`)
  const original = orNotFound(await services.store.getTrace(projectId, fork.traceId), 'trace', fork.traceId)
  const forked = orNotFound(await services.store.getTrace(projectId, fork.forkTraceId), 'trace', fork.forkTraceId)
  const { compareRuns } = await import('@retrace/divergence')
  return diffFork(fork, original, forked, (golden, candidate) => compareRuns(golden, candidate))
}

const DIFF_SUMMARY =
  'Original vs fork, side by side: steps aligned, per-step and total tokens, cost and latency with their deltas (fork − original), the first divergent step, and a semantic divergence score in [0, 1] with a verdict and reasons from @retrace/divergence. 409 until the fork ran.'

export const getForkDiff = defineRoute({
  method: 'get',
  path: '/api/v1/forks/:forkId/diff',
  tag: 'forks',
  summary: DIFF_SUMMARY,
  scope: 'read',
  params: forkParams,
  responses: { 200: { description: 'The diff.', schema: ForkDiffSchema }, 409: { description: 'The fork has not run yet.' } },
  async handler({ key, params, services }) {
    return { body: await diffOf(services, key.projectId, await forkOrNotFound(services, key.projectId, params.forkId)) }
  },
})

export const getTraceForkDiff = defineRoute({
  method: 'get',
  path: '/api/v1/traces/:traceId/diff/:forkId',
  tag: 'forks',
  summary: `The step-by-step diff of one of the trace’s forks. ${DIFF_SUMMARY}`,
  scope: 'read',
  params: z.object({ traceId: idField(), forkId: idField() }),
  responses: { 200: { description: 'The diff.', schema: ForkDiffSchema }, 404: { description: 'No such fork of this trace.' } },
  async handler({ key, params, services }) {
    const fork = await forkOrNotFound(services, key.projectId, params.forkId)
    if (fork.traceId !== params.traceId) throw new ApiError(404, 'not_found', `No fork ${params.forkId.slice(0, 200)} of trace ${params.traceId.slice(0, 200)} in this project.`)
    return { body: await diffOf(services, key.projectId, fork) }
  },
})
