import { z } from 'zod'
import { JsonValueSchema } from '@retrace/cassettes'
import { CriticalTokenKindSchema } from './critical-tokens.ts'

/**
 * The comparison layers, cheapest first. A result names the first one that explains a
 * difference: a renamed tool (`structure`) outranks the changed arguments it brings along.
 */
export const DivergenceLayerSchema = z.enum(['exact', 'structure', 'arguments', 'text', 'trajectory', 'result'])
export type DivergenceLayer = z.infer<typeof DivergenceLayerSchema>

/** Rank of each layer, for "the first layer that explains the difference". */
export const LAYER_RANK: Readonly<Record<DivergenceLayer, number>> = { exact: 0, structure: 1, arguments: 2, text: 3, trajectory: 4, result: 5 }

export const DivergenceReasonKindSchema = z.enum([
  // structure
  'tool-name-changed',
  'tool-call-added',
  'tool-call-removed',
  'tool-order-changed',
  'finish-reason-changed',
  'refusal-changed',
  // arguments
  'argument-changed',
  'argument-added',
  'argument-removed',
  // text (also inside long string arguments and a string result)
  'critical-token-changed',
  'negation-changed',
  'text-dissimilar',
  // trajectory
  'step-missing',
  'step-added',
  // result (a JSON result; a string result reports text kinds under the `result` layer)
  'result-changed',
])
export type DivergenceReasonKind = z.infer<typeof DivergenceReasonKindSchema>

/**
 * One explained difference. Steps are numbered from 1, as in the messages ("step 2").
 */
export const DivergenceReasonSchema = z.object({
  layer: DivergenceLayerSchema,
  kind: DivergenceReasonKindSchema,
  /** 1-based step number in the golden run; for a step only the candidate has (`step-added`), its number in the candidate run. */
  step: z.number().int().positive().optional(),
  /** 1-based step number in the candidate run, when it differs from `step` (a step was added or removed earlier). */
  candidateStep: z.number().int().positive().optional(),
  /** The tool call's name, for reasons about one tool call. */
  tool: z.string().optional(),
  /** 1-based position of that tool call within the golden step. */
  toolCall: z.number().int().positive().optional(),
  /**
   * Where the difference is, as a JSON path: `$.arguments.city` inside a tool call,
   * `$.result.total` in the run's result, `$.text` / `$.refusal` for a step's text.
   */
  path: z.string().optional(),
  /** For `critical-token-changed`: which kind of token changed. */
  tokenKind: CriticalTokenKindSchema.optional(),
  /** The golden value (a token, an argument, a tool name, a text). */
  expected: JsonValueSchema.optional(),
  /** The candidate's value. */
  received: JsonValueSchema.optional(),
  /** Similarity in [0, 1] behind this reason, where one was measured. */
  similarity: z.number().min(0).max(1).optional(),
  /** One readable sentence, e.g. `Step 2, tool call get_weather: $.arguments.city changed from "Paris" to "London".` */
  message: z.string(),
})
export type DivergenceReason = z.infer<typeof DivergenceReasonSchema>

/** How one aligned step compared. */
export const StepComparisonSchema = z.object({
  /** 1-based number in the golden run; absent for a step only the candidate has. */
  step: z.number().int().positive().optional(),
  /** 1-based number in the candidate run; absent for a step the candidate lacks. */
  candidateStep: z.number().int().positive().optional(),
  status: z.enum(['identical', 'equivalent', 'diverged', 'missing', 'added']),
  /** 1 = identical, 0 = unrelated (a missing, added or structurally different step scores 0). */
  similarity: z.number().min(0).max(1),
  /** The first layer that explains this step's divergence. */
  layer: DivergenceLayerSchema.optional(),
  /** Similarity of the step's text, when both sides had text to compare. */
  textSimilarity: z.number().min(0).max(1).optional(),
  /** Lowest similarity among the step's tool-call arguments, when it made tool calls. */
  argumentSimilarity: z.number().min(0).max(1).optional(),
})
export type StepComparison = z.infer<typeof StepComparisonSchema>

/**
 * Which scorer produced a result. Scores from different scorers, versions or embedding
 * models are not comparable, so a stored result carries this.
 */
export const ScorerInfoSchema = z.object({
  id: z.string(),
  version: z.string(),
  embedding: z.object({ id: z.string() }).optional(),
})
export type ScorerInfo = z.infer<typeof ScorerInfoSchema>

export const DivergenceResultSchema = z.object({
  /** `identical`: same canonical run; `equivalent`: differences, none of them a divergence; `diverged`: see `reasons`. */
  verdict: z.enum(['identical', 'equivalent', 'diverged']),
  /** Similarity of the two runs in [0, 1]; 1 = identical. */
  score: z.number().min(0).max(1),
  /** `exact` for identical runs; for diverged runs the first (cheapest) layer that explains the difference; absent when equivalent. */
  layer: DivergenceLayerSchema.optional(),
  /** 1-based number of the first step that diverged (the same in both runs: every step before it paired one to one). */
  firstDivergentStep: z.number().int().positive().optional(),
  /** Every divergence found, the headline first (ordered by layer, then step). */
  reasons: z.array(DivergenceReasonSchema),
  /** One entry per aligned step pair, in run order. */
  steps: z.array(StepComparisonSchema),
  scorer: ScorerInfoSchema,
})
export type DivergenceResult = z.infer<typeof DivergenceResultSchema>
