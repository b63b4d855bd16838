import type { WireSpan } from '@retrace/protocol'
import type { ServerServices } from '../../api/server-services.ts'
import { orNotFound } from '../../api/routes/trace-routes.ts'
import { ApiError } from '../../errors/server-errors.ts'
import type { TraceWithSpans } from '../../store/store.ts'
import { FORKABLE_KINDS, forkPointOf, type ForkPoint } from '../cassette/fork-point.ts'
import type { ForkRecord } from '../../store/fork-records.ts'
import type { NewFork } from '../../store/fork-store.ts'

/**
 * The fork with this id in the key's project, or 404.
 *
 * @example
 * const fork = await forkOrNotFound(services, key.projectId, params.forkId)
 */
export async function forkOrNotFound(services: ServerServices, projectId: string, forkId: string): Promise<ForkRecord> {
  return orNotFound(await services.store.forks.getFork(projectId, forkId), 'fork', forkId)
}

/** A trace, the span a fork starts at, and the step that span maps to. */
export interface ResolvedForkPoint {
  found: TraceWithSpans
  span: WireSpan
  point: ForkPoint
}

/**
 * Finds the trace and span of a fork point and maps the span to its step (PROTOCOL.md §8):
 * 404 for an unknown trace or a span not in it.
 *
 * @example
 * const { point } = await resolveForkPoint(services, key.projectId, body.trace_id, body.fork_point_span_id)
 */
export async function resolveForkPoint(services: ServerServices, projectId: string, traceId: string, spanId: string): Promise<ResolvedForkPoint> {
  const found = orNotFound(await services.store.getTrace(projectId, traceId), 'trace', traceId)
  const span = found.spans.find((candidate) => candidate.id === spanId)
  if (!span) throw new ApiError(404, 'not_found', `No span ${spanId.slice(0, 200)} in trace ${traceId.slice(0, 200)}; fork_point_span_id names one of its spans (GET /api/v1/traces/${traceId.slice(0, 200)}).`)
  if (!FORKABLE_KINDS.has(span.kind)) throw new ApiError(400, 'bad_request', `fork_point_span_id: a fork starts at an llm, tool, agent or span span, not ${span.kind}.`)
  return { found, span, point: forkPointOf(found.spans, span) }
}

/**
 * What creating a fork at a resolved point stores: the function that re-runs is the trace's
 * name unless `functionName` says otherwise (a pushed cassette is named after its test).
 *
 * @example
 * await services.store.forks.createFork(newForkAt(projectId, resolved, body.modified_input, body.function))
 */
export function newForkAt(projectId: string, resolved: ResolvedForkPoint, modifiedInput: unknown, functionName: string | undefined, extra: Partial<NewFork> = {}): NewFork {
  const name = functionName ?? resolved.found.trace.name
  if (!name) throw new ApiError(400, 'bad_request', `function: trace ${resolved.found.trace.id.slice(0, 200)} has no name yet (its start was not received); name the resumable function to run.`)
  return {
    projectId,
    traceId: resolved.found.trace.id,
    spanId: resolved.span.id,
    forkPointStep: resolved.point.step,
    forkPointToolCall: resolved.point.toolCall,
    functionName: name,
    modifiedInput,
    ...extra,
  }
}

/**
 * Tells every server process that forks are waiting (their schedulers claim them).
 *
 * @example
 * await announceQueued(services, key.projectId)
 */
export async function announceQueued(services: ServerServices, projectId: string): Promise<void> {
  await services.store.feed.publish({ kind: 'forks.queued', projectId })
}
