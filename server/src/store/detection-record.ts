import { z } from 'zod'
import { DetectionResultSchema, type DetectionResult, type DetectorTrace } from '@retrace/detectors'
import type { TraceStatus } from './records.ts'

/** What made the server run the detectors over a trace. */
export const DetectionTriggerSchema = z
  .enum(['trace-end', 'live', 'on-demand'])
  .describe('trace-end: the run ended; live: the run was still going (flags may change); on-demand: POST …/detect.')
export type DetectionTrigger = z.infer<typeof DetectionTriggerSchema>

/** One run of the detectors over a trace, as the store keeps it. */
export interface DetectionRun {
  projectId: string
  traceId: string
  trigger: DetectionTrigger
  traceStatus: TraceStatus
  spanCount: number
  version: string
  result: DetectionResult | undefined
  error: { code: string; message: string } | undefined
  durationMs: number
}

/** A stored run, read back. */
export interface StoredDetectionRun extends DetectionRun {
  detectedAt: string
}

/** What deciding whether to run the detectors needs, in one cheap read. */
export interface DetectionTraceState {
  status: TraceStatus
  spanCount: number
  /** Some span carries an agent tag or is an `agent` span (a quick check; confirm on the spans). */
  mayHaveAgents: boolean
  /** What the stored detection was computed from, if any. */
  stored: { version: string; traceStatus: TraceStatus; spanCount: number } | undefined
}

/** The detections of traces in the store, beside the traces (migration 4, `trace_detections`). */
export interface DetectionStore {
  /**
   * What deciding whether to run the detectors needs, for many traces of a project in one
   * read (a server checking every ended trace one query at a time kept PostgreSQL busy for
   * minutes after a bulk load). Traces the project does not have are absent from the map.
   */
  states(projectId: string, traceIds: readonly string[]): Promise<Map<string, DetectionTraceState>>
  /** The stored trace as the detectors read it (a `*.trace.json` object); undefined when no such trace. */
  loadTrace(projectId: string, traceId: string): Promise<DetectorTrace | undefined>
  /**
   * Stores a run, replacing the stored one unless that was computed from more of the trace
   * (ended over running, more spans): two processes detecting one trace at once keep the
   * fuller result. Returns whether it was stored.
   */
  save(run: DetectionRun): Promise<boolean>
  get(projectId: string, traceId: string): Promise<StoredDetectionRun | undefined>
}

/**
 * Parses a stored result (written by this server, so only a damaged row fails).
 *
 * @example
 * parseStoredResult(null) // → undefined
 * parseStoredResult('{ damaged') // → undefined
 */
export function parseStoredResult(text: string | null): DetectionResult | undefined {
  if (text === null) return undefined
  try {
    const parsed = DetectionResultSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}
