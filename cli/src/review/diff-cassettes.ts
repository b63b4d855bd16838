import { canonicalJson, compileMatchOptions, diffRequests, maskVolatileFields, normalizeUrlForMatching, type Cassette, type Interaction, type JsonValue, type RecordedRequest, type RequestDifference } from '@retrace/cassettes'
import { compareRuns, type DivergenceOptions, type DivergenceReason, type DivergenceResult } from '@retrace/divergence'
import { stepText } from '@retrace/core'
import { buildTimeline, type TimelineStep, type TimelineTotals } from './build-timeline.ts'
import { cassetteParts } from './cassette-steps.ts'

/** The headline verdict of a cassette diff. */
export type CassetteDiffVerdict = 'identical' | 'equivalent' | 'diverged'

/** The numbers of one step on one side. */
export interface StepMetrics {
  /** 0-based interaction index in its cassette. */
  interaction: number
  model?: string
  inputTokens: number
  outputTokens: number
  costUsd: number
  latencyMs?: number
}

/** One aligned step of the two cassettes. */
export interface StepDiff {
  /** 1-based step number in the first (old) cassette; absent for a step only the second has. */
  step?: number
  /** 1-based step number in the second (new) cassette; absent for a step it lacks. */
  candidateStep?: number
  /** From the divergence engine: `missing` = only in the old cassette, `added` = only in the new one. */
  status: 'identical' | 'equivalent' | 'diverged' | 'missing' | 'added'
  similarity: number
  textSimilarity?: number
  argumentSimilarity?: number
  /** What the agent sent differently (volatile ids masked), field by field. */
  requestChanges: RequestDifference[]
  /** The divergence engine's reasons about this step. */
  reasons: DivergenceReason[]
  /** Both texts, when the step's output text changed. */
  text?: { before: string; after: string }
  before?: StepMetrics
  after?: StepMetrics
  delta: { tokens: number; costUsd: number; latencyMs?: number }
}

/** A change among the interactions that are not LLM calls. */
export interface RequestChange {
  change: 'added' | 'removed' | 'changed'
  method: string
  url: string
  /** For `changed`: what differs in the response. */
  detail?: string
}

/** Totals of both sides and their difference. */
export interface TotalsDiff {
  before: TimelineTotals
  after: TimelineTotals
  delta: { steps: number; tokens: number; costUsd: number; durationMs: number }
}

/** The semantic diff of two cassettes: what `retrace cassette diff` prints. */
export interface CassetteDiff {
  /**
   * `identical`: same requests and same outputs, volatile fields (ids, timings, usage) aside;
   * `equivalent`: differences, none of them a divergence (a reworded prompt answered the same
   * way, a paraphrase, other token counts); `diverged`: the divergence engine found one.
   */
  verdict: CassetteDiffVerdict
  /** Similarity of the runs in [0, 1]. */
  score: number
  layer?: DivergenceResult['layer']
  firstDivergentStep?: number
  /** Every divergence reason, the headline first. */
  reasons: DivergenceReason[]
  steps: StepDiff[]
  requests: RequestChange[]
  /** The recorded runs' results, when both cassettes store one and they differ. */
  result?: { before: JsonValue; after: JsonValue; reasons: DivergenceReason[] }
  totals: TotalsDiff
}

const MATCH = compileMatchOptions()

/**
 * Compares two cassettes step by step: steps aligned by the divergence engine, each pair
 * with its request changes (`diffRequests`, volatile ids masked), the engine's reasons and
 * similarity for the output, and token / cost / latency deltas; plus changes among other
 * HTTP requests, the run's result, and the totals. Pure.
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const before = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const after = { version: 1 as const, interactions: [chat('Weather in Oslo?', 'It is raining heavily in Oslo today.')] }
 * const diff = diffCassettes(before, after)
 * diff.verdict // → 'diverged'
 * diff.steps[0]!.requestChanges.map((change) => [change.path, change.kind]) // → [['$.messages[0].content', 'changed']]
 */
export function diffCassettes(before: Cassette, after: Cassette, options: DivergenceOptions = {}): CassetteDiff {
  const a = cassetteParts(before)
  const b = cassetteParts(after)
  const timelineA = buildTimeline(before)
  const timelineB = buildTimeline(after)
  const resultA = runResult(before)
  const resultB = runResult(after)
  // Results are compared only when both runs stored one: a cassette written without a
  // result (a raw recording) says nothing about the result.
  const bothResults = resultA !== undefined && resultB !== undefined
  const divergence = compareRuns(
    { steps: a.steps.map((step) => step.stored), ...(bothResults ? { result: resultA } : {}) },
    { steps: b.steps.map((step) => step.stored), ...(bothResults ? { result: resultB } : {}) },
    options,
  )

  const metricsA = stepMetrics(timelineA.entries.filter((entry): entry is TimelineStep => entry.kind === 'step'))
  const metricsB = stepMetrics(timelineB.entries.filter((entry): entry is TimelineStep => entry.kind === 'step'))
  const steps = divergence.steps.map((comparison): StepDiff => {
    const old = comparison.step === undefined ? undefined : a.steps[comparison.step - 1]
    const next = comparison.candidateStep === undefined ? undefined : b.steps[comparison.candidateStep - 1]
    const diff: StepDiff = {
      status: comparison.status,
      similarity: comparison.similarity,
      requestChanges: old && next ? diffRequests(masked(before.interactions[old.interaction]!), masked(after.interactions[next.interaction]!), MATCH) : [],
      reasons: divergence.reasons.filter((reason) => belongsTo(reason, comparison.step, comparison.candidateStep)),
      delta: { tokens: 0, costUsd: 0 },
    }
    if (comparison.step !== undefined) diff.step = comparison.step
    if (comparison.candidateStep !== undefined) diff.candidateStep = comparison.candidateStep
    if (comparison.textSimilarity !== undefined) diff.textSimilarity = comparison.textSimilarity
    if (comparison.argumentSimilarity !== undefined) diff.argumentSimilarity = comparison.argumentSimilarity
    if (old && next) {
      const textBefore = stepText(old.stored)
      const textAfter = stepText(next.stored)
      if (textBefore.trim() !== textAfter.trim()) diff.text = { before: textBefore, after: textAfter }
    }
    const m1 = comparison.step === undefined ? undefined : metricsA[comparison.step - 1]
    const m2 = comparison.candidateStep === undefined ? undefined : metricsB[comparison.candidateStep - 1]
    if (m1) diff.before = m1
    if (m2) diff.after = m2
    diff.delta = {
      tokens: tokensOf(m2) - tokensOf(m1),
      costUsd: Number(((m2?.costUsd ?? 0) - (m1?.costUsd ?? 0)).toPrecision(12)),
    }
    if (m1?.latencyMs !== undefined && m2?.latencyMs !== undefined) diff.delta.latencyMs = m2.latencyMs - m1.latencyMs
    return diff
  })

  const requests = diffOtherRequests(before, a.requests, after, b.requests)
  const result: CassetteDiff['result'] =
    bothResults && canonicalJson(resultA) !== canonicalJson(resultB)
      ? { before: resultA, after: resultB, reasons: divergence.reasons.filter((reason) => reason.layer === 'result') }
      : undefined

  const changedRequests = steps.some((step) => step.requestChanges.length > 0) || requests.length > 0
  const verdict: CassetteDiffVerdict = divergence.verdict === 'diverged' ? 'diverged' : divergence.verdict === 'identical' && !changedRequests && !result ? 'identical' : 'equivalent'
  const diff: CassetteDiff = {
    verdict,
    score: divergence.score,
    reasons: divergence.reasons,
    steps,
    requests,
    totals: {
      before: timelineA.totals,
      after: timelineB.totals,
      delta: {
        steps: timelineB.totals.steps - timelineA.totals.steps,
        tokens: timelineB.totals.tokens - timelineA.totals.tokens,
        costUsd: Number((timelineB.totals.costUsd - timelineA.totals.costUsd).toPrecision(12)),
        durationMs: timelineB.totals.durationMs - timelineA.totals.durationMs,
      },
    },
  }
  if (verdict === 'diverged' && divergence.layer) diff.layer = divergence.layer
  if (divergence.firstDivergentStep !== undefined) diff.firstDivergentStep = divergence.firstDivergentStep
  if (result) diff.result = result
  return diff
}

function runResult(cassette: Cassette): JsonValue | undefined {
  return cassette.run && 'result' in cassette.run ? cassette.run.result : undefined
}

/** A step-less reason (the result) belongs to no step; `step-added` is numbered in the new run. */
function belongsTo(reason: DivergenceReason, step: number | undefined, candidateStep: number | undefined): boolean {
  if (reason.layer === 'result' || reason.step === undefined) return false
  if (reason.kind === 'step-added') return step === undefined && reason.step === candidateStep
  return step !== undefined && reason.step === step
}

/** Ids the provider generated (tool call ids echoed back in later requests) differ on every recording. */
function masked(interaction: Interaction): RecordedRequest {
  const request = interaction.request
  const body = request.body
  if (!body || !('json' in body)) return request
  return { ...request, body: { json: maskVolatileFields(body.json) } }
}

function stepMetrics(steps: readonly TimelineStep[]): StepMetrics[] {
  return steps.map((step) => {
    const metrics: StepMetrics = { interaction: step.interaction, inputTokens: step.inputTokens ?? 0, outputTokens: step.outputTokens ?? 0, costUsd: step.costUsd ?? 0 }
    if (step.model !== undefined) metrics.model = step.model
    if (step.latencyMs !== undefined) metrics.latencyMs = step.latencyMs
    return metrics
  })
}

function tokensOf(metrics: StepMetrics | undefined): number {
  return metrics ? metrics.inputTokens + metrics.outputTokens : 0
}

/**
 * Non-LLM requests paired by method and URL (loopback ports ignored), in order: unpaired
 * ones were added or removed; a pair whose response differs (volatile fields masked) changed.
 */
function diffOtherRequests(before: Cassette, indexesA: readonly number[], after: Cassette, indexesB: readonly number[]): RequestChange[] {
  const keyOf = (interaction: Interaction) => `${interaction.request.method.toUpperCase()} ${normalizeUrlForMatching(interaction.request.url)}`
  const remaining = new Map<string, number[]>()
  for (const index of indexesB) {
    const key = keyOf(after.interactions[index]!)
    remaining.set(key, [...(remaining.get(key) ?? []), index])
  }
  const changes: RequestChange[] = []
  for (const index of indexesA) {
    const old = before.interactions[index]!
    const key = keyOf(old)
    const match = remaining.get(key)?.shift()
    const what = { method: old.request.method.toUpperCase(), url: old.request.url }
    if (match === undefined) {
      changes.push({ change: 'removed', ...what })
      continue
    }
    const next = after.interactions[match]!
    const detail = responseChange(old, next)
    if (detail) changes.push({ change: 'changed', ...what, detail })
  }
  for (const [, indexes] of remaining) {
    for (const index of indexes) {
      const next = after.interactions[index]!
      changes.push({ change: 'added', method: next.request.method.toUpperCase(), url: next.request.url })
    }
  }
  return changes
}

function responseChange(old: Interaction, next: Interaction): string | undefined {
  if (canonicalJson(requestBody(old)) !== canonicalJson(requestBody(next))) return 'request body changed'
  if (old.response?.status !== next.response?.status) return `status ${old.response?.status ?? 'none'} → ${next.response?.status ?? 'none'}`
  if (old.error?.message !== next.error?.message) return `error ${old.error?.message ?? 'none'} → ${next.error?.message ?? 'none'}`
  if (canonicalJson(responseBody(old)) !== canonicalJson(responseBody(next))) return 'response body changed'
  return undefined
}

function requestBody(interaction: Interaction): JsonValue {
  return bodyValue(interaction.request.body)
}

function responseBody(interaction: Interaction): JsonValue {
  return bodyValue(interaction.response?.body)
}

function bodyValue(body: Interaction['request']['body']): JsonValue {
  if (!body) return null
  if ('json' in body) return maskVolatileFields(body.json)
  if ('text' in body) return body.text
  if ('base64' in body) return body.base64
  // Event timings change on every recording; the payloads are what the stream said.
  return body.sse.map((event) => maskVolatileFields((event.data ?? event.text ?? null) as JsonValue))
}
