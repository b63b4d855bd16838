import { canonicalJson, type JsonValue } from '@retrace/cassettes'
import { alignSteps } from './align-steps.ts'
import { scoreJson } from './compare-json.ts'
import { scoreStepPair, type StepOutcome } from './compare-step.ts'
import { scoreTexts, type TextScoring } from './compare-text.ts'
import { resolveDivergenceOptions, type DivergenceOptions } from './divergence-options.ts'
import { LAYER_RANK, type DivergenceReason, type DivergenceResult, type StepComparison } from './divergence-result.ts'
import { jsonEqual } from './json-equal.ts'
import { formatValue, makeReason, round } from './reason-context.ts'
import type { RunRecord } from './run-record.ts'
import { scorerInfo } from './scorer.ts'
import { signaturesIdentical, stepSignature, type StepSignature } from './step-signature.ts'
import { equalIgnoringWhitespace } from './tokenize.ts'
import { createTextAnalyzer } from './text-analysis.ts'
import { buildIdf } from './tfidf.ts'

/**
 * Compares a candidate run with its golden run, deterministically and without a model.
 * Layers run cheapest first and the result names the first one that explains a difference:
 *
 * 1. `exact`: same canonical run (volatile fields such as tool-call ids, usage, cost and
 *    latency left out) → `identical`, in microseconds, before any other work;
 * 2. `structure`, per step: tool names, finish reason, a refusal appearing or disappearing;
 * 3. `arguments`: each tool call's arguments as a JSON diff (`compareJson`);
 * 4. `text`: free text by lexical similarity with the critical-token guard (`compareTexts`);
 * 5. `trajectory`: steps aligned by edit distance, so a different step count is reported as the
 *    step that is missing or extra (`step-missing` / `step-added`), not as a bare count;
 * then the run's `result` (JSON rules, or text rules for a string).
 *
 * Steps are numbered from 1. `firstDivergentStep` is the first step that diverged, the same
 * number in both runs (every step before it paired one to one).
 *
 * @example
 * const step = (output: any[], finishReason = 'stop') => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output, finishReason }) as const
 * const call = (date: string) => step([{ type: 'tool_call', id: 'call_1', name: 'book_flight', arguments: { to: 'Oslo', date } }], 'tool_calls')
 * const result = compareRuns({ steps: [call('2025-05-01')] }, { steps: [call('2025-05-02')] }, { textThreshold: 0.6 })
 * result.verdict // → 'diverged'
 * result.reasons[0]?.message // → 'Step 1, tool call book_flight: $.arguments.date changed from "2025-05-01" to "2025-05-02".'
 */
export function compareRuns(golden: RunRecord, candidate: RunRecord, options: DivergenceOptions = {}): DivergenceResult {
  return compareRunsWith(golden, candidate, options, {})
}

/** How `compareRunsAsync` plugs embeddings into the same pipeline. */
export interface SemanticHook {
  /** Raw embedding cosine of two texts (undefined when unknown). */
  semantic?: (expected: string, received: string) => number | undefined
  /** Recorded in `scorer.embedding`. */
  embeddingId?: string
}

/**
 * `compareRuns` with an optional embedding hook: the pipeline shared by the sync and async
 * entry points.
 *
 * @example
 * const step = (output: any[], finishReason = 'stop') => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output, finishReason }) as const
 * const golden = { steps: [step([{ type: 'text', content: 'It is sunny in Paris.' }])] }
 * // A semantic hook that calls every pair of texts the same (a cache of embeddings would answer here).
 * compareRunsWith(golden, structuredClone(golden), {}, { embeddingId: 'm', semantic: () => 1 }).verdict // → 'identical'
 */
export function compareRunsWith(golden: RunRecord, candidate: RunRecord, options: DivergenceOptions, hook: SemanticHook): DivergenceResult {
  const scorer = scorerInfo(hook.embeddingId)
  const a = golden.steps.map(stepSignature)
  const b = candidate.steps.map(stepSignature)

  // Layer 1: exact. Nothing else is built when the runs are the same.
  if (runsIdentical(a, b, golden.result, candidate.result)) {
    const steps = a.map((_, i): StepComparison => ({ step: i + 1, candidateStep: i + 1, status: 'identical', similarity: 1 }))
    return { verdict: 'identical', score: 1, layer: 'exact', reasons: [], steps, scorer }
  }

  const analyzer = createTextAnalyzer()
  const corpus: string[] = []
  for (const step of [...a, ...b]) {
    if (step.text) corpus.push(step.text)
    if (step.refusal) corpus.push(step.refusal)
  }
  for (const result of [golden.result, candidate.result]) if (typeof result === 'string' && result) corpus.push(result)
  // IDF over every text of both runs: words each step repeats weigh little.
  const scoring: TextScoring = {
    options: resolveDivergenceOptions(options),
    analyzer,
    idf: buildIdf(corpus.map((text) => analyzer.analyze(text).terms)),
  }
  if (hook.semantic) scoring.semantic = hook.semantic

  // Layer 5's alignment comes first: it decides which steps the other layers compare.
  const shapes = (steps: StepSignature[]) => steps.map((step) => shapeKey(step, scoring.options.toolCallOrder))
  const shapeA = shapes(a)
  const shapeB = shapes(b)
  const contentA = a.map(contentKey)
  const contentB = b.map(contentKey)
  // A cheap distance: equal content 0, same shape 0.5, different shape 1. The full
  // comparison runs only on the pairs the alignment keeps.
  const alignment = alignSteps(a, b, (_x, _y, i, j) => (shapeA[i] !== shapeB[j] ? 1 : contentA[i] === contentB[j] ? 0 : 0.5))

  const reasons: DivergenceReason[] = []
  const steps: StepComparison[] = []
  let cost = 0
  let firstDivergentStep: number | undefined
  for (const pair of alignment.pairs) {
    let summary: StepComparison
    if (pair.a !== undefined && pair.b !== undefined) {
      const outcome: StepOutcome = scoreStepPair(a[pair.a]!, b[pair.b]!, scoring, { step: pair.a + 1, candidateStep: pair.b + 1 })
      reasons.push(...outcome.reasons)
      cost += 1 - outcome.similarity
      summary = { step: pair.a + 1, candidateStep: pair.b + 1, status: outcome.status, similarity: round(outcome.similarity) }
      if (outcome.layer) summary.layer = outcome.layer
      if (outcome.textSimilarity !== undefined) summary.textSimilarity = round(outcome.textSimilarity)
      if (outcome.argumentSimilarity !== undefined) summary.argumentSimilarity = round(outcome.argumentSimilarity)
    } else if (pair.a !== undefined) {
      const step = pair.a + 1
      reasons.push(
        makeReason({ layer: 'trajectory', where: `Step ${step}`, step }, 'step-missing', `missing from this run (expected ${describeStep(a[pair.a]!)})`, {
          expected: stepSummary(a[pair.a]!),
        }),
      )
      cost += 1
      summary = { step, status: 'missing', similarity: 0, layer: 'trajectory' }
    } else {
      const step = pair.b! + 1
      reasons.push(
        makeReason({ layer: 'trajectory', where: `Step ${step}`, step, candidateStep: step }, 'step-added', `new in this run (${describeStep(b[pair.b!]!)})`, {
          received: stepSummary(b[pair.b!]!),
        }),
      )
      cost += 1
      summary = { candidateStep: step, status: 'added', similarity: 0, layer: 'trajectory' }
    }
    steps.push(summary)
    // Every pair before the first divergence is one to one, so golden and candidate numbers agree here.
    if (firstDivergentStep === undefined && (summary.status === 'diverged' || summary.status === 'missing' || summary.status === 'added')) {
      firstDivergentStep = (pair.a ?? pair.b!) + 1
    }
  }

  const resultSimilarity = compareResults(golden.result, candidate.result, scoring, reasons)
  const units = Math.max(a.length, b.length) + (resultSimilarity === undefined ? 0 : 1)
  const score = units === 0 ? 1 : Math.max(0, 1 - (cost + (resultSimilarity === undefined ? 0 : 1 - resultSimilarity)) / units)

  // Headline first: the cheapest layer, then the earliest step (sort is stable).
  reasons.sort((x, y) => LAYER_RANK[x.layer] - LAYER_RANK[y.layer] || (x.step ?? Number.MAX_SAFE_INTEGER) - (y.step ?? Number.MAX_SAFE_INTEGER))
  const result: DivergenceResult = { verdict: reasons.length ? 'diverged' : 'equivalent', score: round(score), reasons, steps, scorer }
  if (reasons.length) result.layer = reasons[0]!.layer
  if (firstDivergentStep !== undefined) result.firstDivergentStep = firstDivergentStep
  return result
}

function runsIdentical(a: StepSignature[], b: StepSignature[], resultA: JsonValue | undefined, resultB: JsonValue | undefined): boolean {
  if (a.length !== b.length) return false
  if (typeof resultA === 'string' && typeof resultB === 'string' ? !equalIgnoringWhitespace(resultA, resultB) : !jsonEqual(resultA, resultB)) return false
  for (let i = 0; i < a.length; i++) if (!signaturesIdentical(a[i]!, b[i]!)) return false
  return true
}

/** Compares the runs' results into `reasons`; undefined when neither run has one. */
function compareResults(expected: JsonValue | undefined, received: JsonValue | undefined, scoring: TextScoring, reasons: DivergenceReason[]): number | undefined {
  if (expected === undefined && received === undefined) return undefined
  const context = { layer: 'result', where: 'Result', path: '$.result' } as const
  if (expected === undefined || received === undefined) {
    const detail = expected === undefined ? `the run now returns ${formatValue(received)}` : `the run no longer returns a result (expected ${formatValue(expected)})`
    reasons.push(makeReason(context, 'result-changed', detail, { expected: expected ?? null, received: received ?? null }))
    return 0
  }
  const compared =
    typeof expected === 'string' && typeof received === 'string' ? scoreTexts(expected, received, scoring, context) : scoreJson(expected, received, scoring, context, 'result')
  reasons.push(...compared.reasons)
  return compared.similarity
}

/** Tool names (sorted unless order matters), finish reason and refusal: what must match for two steps to pair cheaply. */
function shapeKey(step: StepSignature, order: 'ignore' | 'strict'): string {
  const names = step.toolCalls.map((call) => call.name)
  if (order === 'ignore') names.sort()
  return `${step.finishReason ?? ''}|${step.refusal === undefined ? 0 : 1}|${names.join(',')}`
}

function contentKey(step: StepSignature): string {
  return `${step.text}\u0000${step.refusal ?? ''}\u0000${step.toolCalls.map((call) => `${call.name}${canonicalJson(call.arguments)}`).join('\u0000')}`
}

function describeStep(step: StepSignature): string {
  const parts: string[] = []
  if (step.toolCalls.length) parts.push(`tool call${step.toolCalls.length > 1 ? 's' : ''} ${step.toolCalls.map((call) => call.name).join(', ')}`)
  if (step.refusal !== undefined) parts.push(`a refusal ${formatValue(step.refusal, 50)}`)
  if (step.text) parts.push(`text ${formatValue(step.text, 50)}`)
  return parts.join(' and ') || 'an empty step'
}

function stepSummary(step: StepSignature): JsonValue {
  const summary: { [key: string]: JsonValue } = {}
  if (step.text) summary.text = step.text
  if (step.refusal !== undefined) summary.refusal = step.refusal
  if (step.toolCalls.length) summary.toolCalls = step.toolCalls.map((call) => ({ name: call.name, arguments: call.arguments }))
  if (step.finishReason !== undefined) summary.finishReason = step.finishReason
  return summary
}
