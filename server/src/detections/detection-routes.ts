import { z } from 'zod'
import { DetectorTraceSchema, TRACE_FILE_VERSION } from '@retrace/detectors'
import { defineRoute, type RouteSpec } from '../api/route-spec.ts'
import { orNotFound } from '../api/routes/trace-routes.ts'
import type { DetectionScheduler } from './detection-scheduler.ts'
import { toTraceDetections, TraceDetectionsSchema } from './detection-view.ts'

const traceParams = z.object({ traceId: z.string().min(1).max(1024) })
const notFound = { description: 'No such trace in this project.' }

export const getTraceDetections = defineRoute({
  method: 'get',
  path: '/api/v1/traces/:traceId/detections',
  tag: 'detections',
  summary:
    'The multi-agent detectors’ flags stored with a trace (@retrace/detectors: kind, MAST mode, agent, decisive span, evidence, confidence), the failure attribution and the rules version. The server runs them when a trace with agent spans ends, and every few seconds while it runs.',
  scope: 'read',
  params: traceParams,
  responses: { 200: { description: 'The stored detections (status none: not detected yet).', schema: TraceDetectionsSchema }, 404: notFound },
  async handler({ key, params, services }) {
    const stored = await services.store.detections.get(key.projectId, params.traceId)
    if (!stored) orNotFound((await services.store.detections.states(key.projectId, [params.traceId])).get(params.traceId), 'trace', params.traceId)
    return { body: toTraceDetections(params.traceId, stored) }
  },
})

export const getTraceFile = defineRoute({
  method: 'get',
  path: '/api/v1/traces/:traceId/trace-file',
  tag: 'detections',
  summary: 'The trace as a trace file ({ version, trace, spans, end }: its trace.start, spans and trace.end as the wire protocol sent them), what `retrace detect` and @retrace/detectors read.',
  scope: 'read',
  params: traceParams,
  responses: { 200: { description: 'The trace file.', schema: DetectorTraceSchema }, 404: notFound },
  async handler({ key, params, services }) {
    const trace = orNotFound(await services.store.detections.loadTrace(key.projectId, params.traceId), 'trace', params.traceId)
    return { body: { version: TRACE_FILE_VERSION, ...trace } }
  },
})

/**
 * The detection routes: reading the stored flags and the trace file, and running the
 * detectors on demand through the server's scheduler.
 *
 * @example
 * import { createLogger } from '../logging/logger.ts'
 * import { DetectionScheduler } from './detection-scheduler.ts'
 * // startServer: createApp(services, state, [...detectionRoutes(detections)])
 * const detections = new DetectionScheduler({ store: undefined as never, log: createLogger({ level: 'silent' }) })
 * detectionRoutes(detections).map((route) => `${route.method.toUpperCase()} ${route.path}`)
 * // → ['GET /api/v1/traces/:traceId/detections', 'GET /api/v1/traces/:traceId/trace-file', 'POST /api/v1/traces/:traceId/detect']
 * await detections.close()
 */
export function detectionRoutes(scheduler: DetectionScheduler): RouteSpec[] {
  const detectTrace = defineRoute({
    method: 'post',
    path: '/api/v1/traces/:traceId/detect',
    tag: 'detections',
    summary:
      'Runs the multi-agent detectors over the trace now (any trace, running or ended, agent spans or not), stores the flags with it and returns them. Only derived data changes, so a read key may.',
    scope: 'read',
    params: traceParams,
    responses: { 200: { description: 'The detections just stored (status failed when the detectors could not finish, with the error).', schema: TraceDetectionsSchema }, 404: notFound },
    async handler({ key, params }) {
      return { body: orNotFound(await scheduler.detectNow(key.projectId, params.traceId), 'trace', params.traceId) }
    },
  })
  return [getTraceDetections, getTraceFile, detectTrace]
}
