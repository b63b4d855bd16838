import { z } from 'zod'

/**
 * The 14 failure modes of the MAST taxonomy (Cemri et al., 2025, "Why Do Multi-Agent LLM
 * Systems Fail?"), numbered as in the paper: FC1 specification, FC2 inter-agent
 * misalignment, FC3 task verification.
 */
export const MAST_MODES = [
  '1.1 disobey task specification',
  '1.2 disobey role specification',
  '1.3 step repetition',
  '1.4 loss of conversation history',
  '1.5 unaware of termination conditions',
  '2.1 conversation reset',
  '2.2 fail to ask for clarification',
  '2.3 task derailment',
  '2.4 information withholding',
  '2.5 ignored other agent’s input',
  '2.6 reasoning–action mismatch',
  '3.1 premature termination',
  '3.2 no or incomplete verification',
  '3.3 incorrect verification',
] as const

export const MastModeSchema = z.enum(MAST_MODES)
export type MastMode = z.infer<typeof MastModeSchema>

/** The detectors this package runs, each a function of the trace alone. */
export const DETECTOR_KINDS = [
  'ping-pong',
  'loop',
  'no-progress',
  'reasoning-action-mismatch',
  'task-derailment',
  'premature-termination',
  'missing-verification',
] as const

export const DetectorKindSchema = z.enum(DETECTOR_KINDS)
export type DetectorKind = z.infer<typeof DetectorKindSchema>

/** A flag's kind: one of the detectors, or `judge` for a flag a judge plug-in added. */
export const FlagKindSchema = z.enum([...DETECTOR_KINDS, 'judge'])
export type FlagKind = z.infer<typeof FlagKindSchema>

/** The MAST mode each detector reports. */
export const MAST_MODE_OF: Readonly<Record<DetectorKind, MastMode>> = {
  'ping-pong': '1.3 step repetition',
  loop: '1.3 step repetition',
  'no-progress': '1.5 unaware of termination conditions',
  'reasoning-action-mismatch': '2.6 reasoning–action mismatch',
  'task-derailment': '2.3 task derailment',
  'premature-termination': '3.1 premature termination',
  'missing-verification': '3.2 no or incomplete verification',
}

/**
 * One suspected failure. `spanIds[0]` is the decisive step (where the failure happened, the
 * step failure attribution names); the other ids are the spans that show it, in trace order.
 */
export const FlagSchema = z.object({
  kind: FlagKindSchema,
  mastMode: MastModeSchema,
  /** The agent responsible for the decisive step. */
  agent: z.string(),
  spanIds: z.array(z.string()).min(1),
  /** One line for a person. */
  message: z.string(),
  /** Quoted text from the spans that shows the failure (each trimmed to ~200 characters). */
  evidence: z.array(z.string()),
  /** In [0, 1]: how sure the detector is. Flags are ranked by it. */
  confidence: z.number().min(0).max(1),
  /** `detector` for the built-in rules, else the judge's id. */
  source: z.string(),
})
export type Flag = z.infer<typeof FlagSchema>

/** What `detect` returns: the flags, most confident first, and what produced them. */
export const DetectionResultSchema = z.object({
  traceId: z.string(),
  flags: z.array(FlagSchema),
  /** The detectors that ran. */
  detectors: z.array(DetectorKindSchema),
  /** The judge that reviewed the flags, when one was given. */
  judge: z.string().optional(),
  /** Changes when a detector's rules or thresholds change, so stored flags can be recomputed. */
  version: z.string(),
})
export type DetectionResult = z.infer<typeof DetectionResultSchema>

/** Bumped whenever a rule or default threshold changes the flags a trace gets. */
export const DETECTORS_VERSION = '2'
