import { z } from 'zod'
import { AgentTopologySchema, buildTopology } from '@retrace/detectors'
import { defineRoute } from '../api/route-spec.ts'
import { orNotFound } from '../api/routes/trace-routes.ts'

export const getTraceTopology = defineRoute({
  method: 'get',
  path: '/api/v1/traces/:traceId/topology',
  tag: 'traces',
  summary: 'The agent graph of a multi-agent trace: agents (role, parent, span counts) and the hand-off and message edges between them, from @retrace/detectors’ buildTopology.',
  scope: 'read',
  params: z.object({ traceId: z.string().min(1).max(1024) }),
  responses: { 200: { description: 'The topology (empty lists for a run without agent tags).', schema: AgentTopologySchema }, 404: { description: 'No such trace in this project.' } },
  async handler({ key, params, services }) {
    const found = orNotFound(await services.store.getTrace(key.projectId, params.traceId as string), 'trace', params.traceId as string)
    return { body: buildTopology(found.spans) }
  },
})
