import { z } from 'zod'
import { attributeFailure, DETECTORS_VERSION, DetectorKindSchema, FlagKindSchema, FlagSchema } from '@retrace/detectors'
import { DetectionTriggerSchema, type StoredDetectionRun } from '../store/detection-record.ts'
import { TraceStatusSchema } from '../store/records.ts'

/** `attributeFailure` of @retrace/detectors: the top flag's agent and decisive span. */
export const FailureAttributionSchema = z.object({
  agent: z.string(),
  spanId: z.string(),
  kind: FlagKindSchema,
  confidence: z.number().min(0).max(1),
})

/**
 * The detections stored with a trace, as the read API returns them: the flags of
 * `@retrace/detectors` (its `FlagSchema`), the failure attribution, the rules version that
 * produced them and what the trace was then.
 */
export const TraceDetectionsSchema = z.object({
  traceId: z.string(),
  status: z
    .enum(['none', 'done', 'failed'])
    .describe('none: never detected (the trace has no agent spans, or has not ended yet); done: the flags below; failed: the detectors did not finish (error says why).'),
  flags: z.array(FlagSchema).describe('Most confident first; spanIds[0] is the decisive step.'),
  attribution: FailureAttributionSchema.nullable().describe('Which agent and which step: the top flag’s.'),
  detectors: z.array(DetectorKindSchema).describe('The detectors that ran.'),
  version: z.string().nullable().describe('The @retrace/detectors rules version (DETECTORS_VERSION) that produced these flags.'),
  currentVersion: z.string().describe('This server’s rules version.'),
  outdated: z.boolean().describe('Produced by other rules than this server’s: POST …/detect runs them again.'),
  trigger: DetectionTriggerSchema.nullable(),
  traceStatus: TraceStatusSchema.nullable().describe('The trace’s status when detected: running means later spans may change the flags.'),
  spanCount: z.number().int().nullable().describe('Spans of the trace the detectors read.'),
  detectedAt: z.string().nullable(),
  durationMs: z.number().nullable().describe('Time the detectors took, in the detection worker.'),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
})
export type TraceDetections = z.infer<typeof TraceDetectionsSchema>

/**
 * The read API's view of a trace's stored detections (or of none yet).
 *
 * @example
 * // In a route: toTraceDetections(traceId, await store.detections.get(projectId, traceId))
 * toTraceDetections('tr_1', undefined).flags // → []
 */
export function toTraceDetections(traceId: string, stored: StoredDetectionRun | undefined): TraceDetections {
  if (!stored) {
    return {
      traceId, status: 'none', flags: [], attribution: null, detectors: [], version: null, currentVersion: DETECTORS_VERSION, outdated: false,
      trigger: null, traceStatus: null, spanCount: null, detectedAt: null, durationMs: null, error: null,
    }
  }
  const result = stored.result
  return {
    traceId,
    status: result ? 'done' : 'failed',
    flags: result?.flags ?? [],
    attribution: result ? (attributeFailure(result) ?? null) : null,
    detectors: result?.detectors ?? [],
    version: stored.version,
    currentVersion: DETECTORS_VERSION,
    outdated: stored.version !== DETECTORS_VERSION,
    trigger: stored.trigger,
    traceStatus: stored.traceStatus,
    spanCount: stored.spanCount,
    detectedAt: stored.detectedAt,
    durationMs: Math.round(stored.durationMs * 10) / 10,
    error: stored.error ?? null,
  }
}
