import type { ResolvedDetectOptions } from './detect-options.ts'
import { MAST_MODE_OF, type DetectorKind, type Flag } from '../flags/flag.ts'
import type { TextSimilarity } from '../trace/text-similarity.ts'
import type { TraceView } from '../trace/trace-view.ts'
import { tokenize } from '@retrace/divergence'

/** What every detector is given: the flattened trace, a shared text scorer, the options. */
export interface DetectorContext {
  view: TraceView
  texts: TextSimilarity
  options: ResolvedDetectOptions
}

/** A detector: a pure function of the trace. */
export type Detector = (context: DetectorContext) => Flag[]

/**
 * A built-in detector's flag, with its MAST mode and a confidence rounded to 3 decimals (so
 * flags compare equal across platforms).
 *
 * @example
 * detectorFlag('loop', { agent: 'researcher', spanIds: ['s2', 's1', 's3'], message: '…', evidence: [], confidence: 0.8 })
 */
export function detectorFlag(kind: DetectorKind, fields: Pick<Flag, 'agent' | 'spanIds' | 'message' | 'evidence' | 'confidence'>): Flag {
  return {
    kind,
    mastMode: MAST_MODE_OF[kind],
    agent: fields.agent,
    spanIds: [...new Set(fields.spanIds)],
    message: fields.message,
    evidence: fields.evidence,
    confidence: Math.round(Math.min(1, Math.max(0, fields.confidence)) * 1000) / 1000,
    source: 'detector',
  }
}

/**
 * Words of a text, for "is this message more than protocol chatter" checks.
 *
 * @example
 * wordCount('Next speaker WebSurfer') // → 3
 */
export function wordCount(text: string): number {
  return tokenize(text).length
}
