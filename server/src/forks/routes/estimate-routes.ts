import { z } from 'zod'
import { estimateCost, type Usage } from '@retrace/cassettes'
import { defineRoute } from '../../api/route-spec.ts'
import { orNotFound } from '../../api/routes/trace-routes.ts'
import { estimateFork, ForkEstimateSchema, type CachedFork } from '../estimate/fork-estimate.ts'
import { forkView, ForkSchema } from '../../store/fork-records.ts'
import { announceQueued, forkOrNotFound, newForkAt, resolveForkPoint } from './fork-lookup.ts'
import { forkParams, FunctionNameSchema, idField, ModifiedInputSchema } from './fork-routes.ts'

export const getForkEstimate = defineRoute({
  method: 'get',
  path: '/api/v1/forks/:forkId/estimate',
  tag: 'forks',
  summary:
    'What a fork will cost before it runs, from the recorded token counts at the price table’s prices: naive (every step from the fork point, live) vs optimized (prefix served from the recording; steps an earlier identical fork or sweep variant of this trace answered served from a semantic cache; context compression where the messages allow), a per-step breakdown, the savings, and the assumptions.',
  scope: 'read',
  params: forkParams,
  responses: { 200: { description: 'The estimate.', schema: ForkEstimateSchema } },
  async handler({ key, params, services }) {
    const fork = await forkOrNotFound(services, key.projectId, params.forkId)
    const original = orNotFound(await services.store.getTrace(key.projectId, fork.traceId), 'trace', fork.traceId)
    const earlier: CachedFork[] = []
    for (const other of await services.store.forks.forksOfTrace(key.projectId, fork.traceId)) {
      if (other.id === fork.id || other.status !== 'completed' || !other.forkTraceId || other.forkPointStep !== fork.forkPointStep) continue
      const traced = await services.store.getTrace(key.projectId, other.forkTraceId)
      if (traced) earlier.push({ id: other.id, forkPointStep: other.forkPointStep, forkPointToolCall: other.forkPointToolCall, modifiedInput: other.modifiedInput, spans: traced.spans })
    }
    const price = (provider: string, model: string | undefined, usage: Usage | undefined) => estimateCost(provider, model, usage).costUsd
    return { body: estimateFork(fork, original.spans, earlier, price) }
  },
})

export const inlineEdit = defineRoute({
  method: 'post',
  path: '/api/v1/traces/:traceId/inline-edit',
  tag: 'forks',
  summary: 'Edit a span’s input and create a fork in one step; with "replay": true it is also queued to run (as POST /api/v1/forks/{forkId}/replay).',
  scope: 'ingest',
  params: z.object({ traceId: idField() }),
  body: z.strictObject({ span_id: idField(), modified_input: ModifiedInputSchema, replay: z.boolean().optional(), function: FunctionNameSchema.optional() }),
  responses: { 201: { description: 'The fork (created, or queued with "replay": true).', schema: ForkSchema } },
  async handler({ key, params, body, services }) {
    const resolved = await resolveForkPoint(services, key.projectId, params.traceId, body.span_id)
    const fork = await services.store.forks.createFork(newForkAt(key.projectId, resolved, body.modified_input, body.function, { queued: body.replay === true }))
    if (body.replay) await announceQueued(services, key.projectId)
    return { status: 201, body: forkView(fork) }
  },
})
