import type { DetectionResult } from '../flags/flag.ts'

/** Who made the decisive mistake, and where: the Who&When question. */
export interface FailureAttribution {
  agent: string
  /** The decisive span: the top flag's `spanIds[0]`. */
  spanId: string
  /** The flag the answer comes from. */
  kind: DetectionResult['flags'][number]['kind']
  confidence: number
}

/**
 * Failure attribution: the top-ranked flag's agent and decisive span, or undefined when
 * nothing was flagged.
 *
 * @example
 * attributeFailure(detect(trace)) // { agent: 'WebSurfer', spanId: 'who-and-when-…:12', kind: 'task-derailment', confidence: 0.7 }
 */
export function attributeFailure(result: DetectionResult): FailureAttribution | undefined {
  const top = result.flags[0]
  if (!top) return undefined
  return { agent: top.agent, spanId: top.spanIds[0]!, kind: top.kind, confidence: top.confidence }
}
