import { z } from 'zod'
import { canonicalJson, JsonValueSchema, type JsonValue } from '@retrace/cassettes'
import type { DivergenceResult, RunRecord } from '@retrace/divergence'

/** One run as the report compares it. */
export interface RunOutcome {
  status: string
  run: RunRecord
}

/** A variant that ran (variants that could not run are left out of the report and counted). */
export interface VariantRun extends RunOutcome {
  label: string
  kind: string
  modifiedInput: JsonValue
}

export const SensitivityReportSchema = z.object({
  k: z.number().int().describe('Variants asked for.'),
  scored: z.number().int().describe('Variants that ran and are in the report.'),
  seed: z.union([z.number(), z.string()]),
  perturbations: z.array(z.string()),
  fork_point_step: z.number().int(),
  sensitivity_score: z.number().min(0).max(1).describe('ProSA’s PSS: the mean, over every pair of variants, of the divergence score of their outcomes (0: every variant ran the same; 1: nothing in common).'),
  flip_rate: z.number().min(0).max(1).describe('Share of variants whose outcome (final answer verdict, tool-call sequence, status) differs from the original run’s.'),
  per_step_flip_rate: z.array(z.object({ step: z.number().int(), rate: z.number(), variants: z.number().int() })).describe('For each step from the fork point on: the share of variants that first diverge there.'),
  variants: z.array(
    z.object({
      label: z.string(),
      kind: z.string(),
      modified_input: JsonValueSchema,
      status: z.string(),
      divergence_score: z.number().describe('Against the original run.'),
      first_divergent_step: z.number().int().nullable(),
      flipped: z.boolean(),
      flip_reasons: z.array(z.enum(['final_answer', 'tool_calls', 'status'])),
    }),
  ),
})
export type SensitivityReport = z.infer<typeof SensitivityReportSchema>

type Compare = (golden: RunRecord, candidate: RunRecord) => DivergenceResult

const round = (value: number) => Number(value.toFixed(9))

/** The names of the tools a run called, in order. */
function toolSequence(run: RunRecord): string[] {
  return run.steps.flatMap((step) => step.output.flatMap((part) => (part.type === 'tool_call' ? [part.name] : [])))
}

/**
 * The sensitivity report of a set of perturbed variants against the original run:
 * - `sensitivity_score`, ProSA's PSS for one instance: S = Σ_{j<l} d(j, l) / C(n, 2), with
 *   d(j, l) = 1 − compareRuns(variant j, variant l).score, the divergence engine's semantic
 *   discrepancy of two outcomes (0 when fewer than two variants ran);
 * - `flip_rate`: the share of variants whose outcome differs from the original's — the final
 *   answer's verdict is `diverged`, the tool-call sequence changed, or the run's status;
 * - `per_step_flip_rate`: for each step from the fork point to the longest run's last, the
 *   share of variants whose first divergence from the original is that step.
 * Deterministic: the same runs give the same report.
 *
 * @example
 * import { compareRuns } from '@retrace/divergence'
 * const step = (text: string) => ({ provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop' })
 * const outcome = (text: string) => ({ status: 'completed', run: { steps: [step(text)], result: text } })
 * const original = outcome('Sunny, 18 °C in Paris.')
 * const variants = [
 *   { ...outcome('Sunny, 18 °C in Paris.'), label: 'typos-1', kind: 'typos', modifiedInput: 'Wether in Paris?' },
 *   { ...outcome('I cannot help with that.'), label: 'case-1', kind: 'case', modifiedInput: 'WEATHER IN PARIS?' },
 * ]
 * const report = sensitivityReport(original, variants, compareRuns, { k: 2, seed: 1, perturbations: ['typos', 'case'], forkPointStep: 1 })
 * ;[report.scored, report.flip_rate] // → [2, 0.5]
 * report.variants.map((variant) => [variant.label, variant.flipped]) // → [['typos-1', false], ['case-1', true]]
 */
export function sensitivityReport(original: RunOutcome, variants: readonly VariantRun[], compare: Compare, meta: { k: number; seed: number | string; perturbations: readonly string[]; forkPointStep: number }): SensitivityReport {
  const n = variants.length
  let pairs = 0
  let total = 0
  for (let j = 0; j < n; j++) {
    for (let l = j + 1; l < n; l++) {
      total += 1 - compare(variants[j]!.run, variants[l]!.run).score
      pairs++
    }
  }
  const originalTools = canonicalJson(toolSequence(original.run))
  const rows = variants.map((variant) => {
    const divergence = compare(original.run, variant.run)
    const answer = compare({ steps: [], ...(original.run.result !== undefined ? { result: original.run.result } : {}) }, { steps: [], ...(variant.run.result !== undefined ? { result: variant.run.result } : {}) })
    const reasons: Array<'final_answer' | 'tool_calls' | 'status'> = []
    if (answer.verdict === 'diverged') reasons.push('final_answer')
    if (canonicalJson(toolSequence(variant.run)) !== originalTools) reasons.push('tool_calls')
    if (variant.status !== original.status) reasons.push('status')
    return {
      label: variant.label,
      kind: variant.kind,
      modified_input: variant.modifiedInput,
      status: variant.status,
      divergence_score: round(1 - divergence.score),
      first_divergent_step: divergence.firstDivergentStep ?? null,
      flipped: reasons.length > 0,
      flip_reasons: reasons,
    }
  })
  const lastStep = Math.max(original.run.steps.length, ...variants.map((variant) => variant.run.steps.length), meta.forkPointStep)
  const perStep = []
  for (let step = meta.forkPointStep; step <= lastStep; step++) {
    const count = rows.filter((row) => row.first_divergent_step === step).length
    perStep.push({ step, rate: n ? round(count / n) : 0, variants: count })
  }
  return {
    k: meta.k,
    scored: n,
    seed: meta.seed,
    perturbations: [...meta.perturbations],
    fork_point_step: meta.forkPointStep,
    sensitivity_score: pairs ? round(total / pairs) : 0,
    flip_rate: n ? round(rows.filter((row) => row.flipped).length / n) : 0,
    per_step_flip_rate: perStep,
    variants: rows,
  }
}
