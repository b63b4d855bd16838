import { z } from 'zod'
import { RetraceConfigError } from '@retrace/cassettes'
import { DetectorKindSchema, type DetectorKind } from '../flags/flag.ts'

/**
 * Options of `detect`. Every threshold has a default measured on the synthetic fixtures
 * (see the README); none was fitted to an individual Who&When run.
 */
export const DetectOptionsSchema = z.strictObject({
  /** The detectors to run (default: all). */
  detectors: z.array(DetectorKindSchema).optional(),
  /** The task text, when the trace input does not hold it. */
  task: z.string().optional(),
  /** Repeats that make a loop, cycles that make a ping-pong, unchanged actions that make no progress (default 3). */
  minRepeats: z.number().int().min(2).optional(),
  /** Two messages at least this similar (compareTexts, 0–1) are "the same" for loops and ping-pong (default 0.85). */
  similarThreshold: z.number().min(0).max(1).optional(),
  /** A message whose content words score below this against the task is off task (default 0.05). */
  derailmentThreshold: z.number().min(0).max(1).optional(),
  /** Flags less confident than this are dropped (default 0). */
  minConfidence: z.number().min(0).max(1).optional(),
})
export type DetectOptions = z.infer<typeof DetectOptionsSchema>

/** `DetectOptions` with every default filled in. */
export interface ResolvedDetectOptions {
  readonly detectors: readonly DetectorKind[]
  readonly task: string | undefined
  readonly minRepeats: number
  readonly similarThreshold: number
  readonly derailmentThreshold: number
  readonly minConfidence: number
}

export const DEFAULT_DETECT_OPTIONS = {
  minRepeats: 3,
  similarThreshold: 0.85,
  derailmentThreshold: 0.05,
  minConfidence: 0,
} as const

/**
 * Validates options and fills in the defaults. Bad options are a `RetraceConfigError` naming
 * the field.
 *
 * @example
 * resolveDetectOptions({ minRepeats: 4 }).similarThreshold // 0.85
 */
export function resolveDetectOptions(options: DetectOptions = {}): ResolvedDetectOptions {
  const result = DetectOptionsSchema.safeParse(options)
  if (!result.success) {
    const issue = result.error.issues[0]!
    const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'options')
    throw new RetraceConfigError(
      `detect option ${field}`,
      `${issue.message}.`,
      'See DetectOptionsSchema in @retrace/detectors: detectors, task, minRepeats (≥ 2), similarThreshold, derailmentThreshold and minConfidence (0–1).',
    )
  }
  const parsed = result.data
  return {
    detectors: parsed.detectors ?? DetectorKindSchema.options,
    task: parsed.task,
    minRepeats: parsed.minRepeats ?? DEFAULT_DETECT_OPTIONS.minRepeats,
    similarThreshold: parsed.similarThreshold ?? DEFAULT_DETECT_OPTIONS.similarThreshold,
    derailmentThreshold: parsed.derailmentThreshold ?? DEFAULT_DETECT_OPTIONS.derailmentThreshold,
    minConfidence: parsed.minConfidence ?? DEFAULT_DETECT_OPTIONS.minConfidence,
  }
}
