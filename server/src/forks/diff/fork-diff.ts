import { z } from 'zod'
import { JsonValueSchema, type JsonValue, type Step } from '@retrace/cassettes'
import type { DivergenceResult, RunRecord } from '@retrace/divergence'
import type { WireSpan } from '@retrace/protocol'
import type { TraceWithSpans } from '../../store/store.ts'
import { llmSpansInOrder } from '../cassette/trace-cassette.ts'

const MetricsSchema = z.object({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
  latency_ms: z.number().describe('LLM time: the call’s duration (a replayed call takes about none).'),
})
type Metrics = z.infer<typeof MetricsSchema>

const SideSchema = MetricsSchema.extend({
  span_id: z.string(),
  model: z.string().nullable(),
  replayed: z.boolean().describe('Served from the recording (no provider call).'),
  text: z.string().describe('What the model wrote (its text parts).'),
  tool_calls: z.array(z.object({ name: z.string(), arguments: JsonValueSchema })),
})

const TotalsSchema = MetricsSchema.extend({
  steps: z.number().int(),
  duration_ms: z.number().nullable().describe('The run’s wall time.'),
  live_cost_usd: z.number().describe('Cost of the calls that reached the provider (replayed ones cost nothing).'),
})

/** The diff of a fork against the run it branches from (GET /api/v1/forks/{forkId}/diff). */
export const ForkDiffSchema = z.object({
  fork_id: z.string(),
  trace_id: z.string(),
  fork_trace_id: z.string(),
  fork_point_step: z.number().int(),
  divergence: z.object({
    score: z.number().min(0).max(1).describe('0: the same run; 1: nothing in common (1 − the divergence engine’s similarity).'),
    verdict: z.enum(['identical', 'equivalent', 'diverged']),
    first_divergent_step: z.number().int().nullable(),
    reasons: z.array(z.string()),
    scorer: z.object({ id: z.string(), version: z.string() }),
  }),
  steps: z.array(
    z.object({
      step: z.number().int().nullable().describe('1-based step of the original run (null: only the fork has it).'),
      fork_step: z.number().int().nullable().describe('1-based step of the fork (null: only the original has it).'),
      status: z.enum(['identical', 'equivalent', 'diverged', 'missing', 'added']),
      similarity: z.number(),
      original: SideSchema.nullable(),
      fork: SideSchema.nullable(),
      delta: MetricsSchema.describe('fork − original (a missing side counts as zero).'),
    }),
  ),
  totals: z.object({ original: TotalsSchema, fork: TotalsSchema, delta: TotalsSchema.omit({ steps: true }).extend({ steps: z.number().int() }) }),
  outcome: z.object({
    original: z.object({ status: z.string(), output: JsonValueSchema.nullable() }),
    fork: z.object({ status: z.string(), output: JsonValueSchema.nullable() }),
  }),
})
export type ForkDiff = z.infer<typeof ForkDiffSchema>

/** The divergence engine's entry point (imported lazily: the server starts without it). */
export type CompareRuns = (golden: RunRecord, candidate: RunRecord) => DivergenceResult

const ZERO: Metrics = { input_tokens: 0, output_tokens: 0, cost_usd: 0, latency_ms: 0 }
// Sums of floats compared with sums of the same floats: rounding keeps them equal to the cent's billionth.
const round = (value: number) => Number(value.toFixed(12))

function metricsOf(span: WireSpan): Metrics {
  return { input_tokens: span.step?.usage?.inputTokens ?? 0, output_tokens: span.step?.usage?.outputTokens ?? 0, cost_usd: span.step?.costUsd ?? 0, latency_ms: span.durationMs }
}

function sideOf(span: WireSpan): z.infer<typeof SideSchema> {
  const output = span.step?.output ?? []
  return {
    span_id: span.id,
    model: span.step?.model ?? null,
    replayed: span.metadata?.replayed === true,
    ...metricsOf(span),
    text: output.flatMap((part) => (part.type === 'text' ? [part.content] : [])).join(''),
    tool_calls: output.flatMap((part) => (part.type === 'tool_call' ? [{ name: part.name, arguments: part.arguments as JsonValue }] : [])),
  }
}

function subtract(a: Metrics, b: Metrics): Metrics {
  return { input_tokens: a.input_tokens - b.input_tokens, output_tokens: a.output_tokens - b.output_tokens, cost_usd: round(a.cost_usd - b.cost_usd), latency_ms: round(a.latency_ms - b.latency_ms) }
}

function totalsOf(found: TraceWithSpans, llm: readonly WireSpan[]): z.infer<typeof TotalsSchema> {
  const sum = llm.reduce<Metrics>((total, span) => {
    const metrics = metricsOf(span)
    return { input_tokens: total.input_tokens + metrics.input_tokens, output_tokens: total.output_tokens + metrics.output_tokens, cost_usd: total.cost_usd + metrics.cost_usd, latency_ms: total.latency_ms + metrics.latency_ms }
  }, ZERO)
  const live = llm.filter((span) => span.metadata?.replayed !== true).reduce((total, span) => total + (span.step?.costUsd ?? 0), 0)
  return { ...sum, cost_usd: round(sum.cost_usd), latency_ms: round(sum.latency_ms), steps: llm.length, duration_ms: found.trace.totals.durationMs, live_cost_usd: round(live) }
}

/**
 * A run as the divergence engine compares it: its LLM steps in order and its outcome.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../../store/open-store.ts'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const exchange = (text: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } } },
 * })
 * const llm = (traceId: string, n: number, text: string) => ({
 *   id: `${traceId}.${n}`, traceId, kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 *   interaction: exchange(text),
 * })
 * // One run as the SDK streams it: its start, its LLM spans, its end.
 * const run = (traceId: string, answers: string[]) => [
 *   { type: 'trace.start' as const, id: `${traceId}:start`, trace: { id: traceId, name: 'weather', startedAt: at(0), input: 'Weather in Paris?' } },
 *   ...answers.map((text, index) => ({ type: 'span' as const, id: `${traceId}.${index + 1}`, span: llm(traceId, index + 1, text) })),
 *   { type: 'trace.end' as const, id: `${traceId}:end`, trace: { id: traceId, endedAt: at(59), status: 'completed' as const, output: answers.at(-1), totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 59_000 } } },
 * ]
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const record = runRecordOf((await store.getTrace(project.id, 'tr_1'))!)
 * // Then: compareRuns(runRecordOf(original), runRecordOf(fork)) (@retrace/divergence)
 * ;[record.steps.length, record.result] // → [2, 'Sunny, 18 °C.']
 * await store.close()
 */
export function runRecordOf(found: TraceWithSpans): RunRecord {
  return { steps: llmSpansInOrder(found.spans).map((span) => span.step as Step), ...(found.trace.output !== null ? { result: found.trace.output as JsonValue } : {}) }
}

/**
 * Original vs fork, side by side: steps aligned by the divergence engine (a step the fork
 * added or dropped shows as `added` / `missing`), per-step and total tokens, cost and LLM
 * latency with their deltas (fork − original; the total deltas are the sums over the LLM
 * spans of each run), the first divergent step, and a divergence score in [0, 1] with the
 * engine's verdict and reasons (semantic: a paraphrase is `equivalent`, a changed number is not).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../../store/open-store.ts'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { compareRuns } from '@retrace/divergence'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const exchange = (text: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } } },
 * })
 * const llm = (traceId: string, n: number, text: string) => ({
 *   id: `${traceId}.${n}`, traceId, kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 *   interaction: exchange(text),
 * })
 * // One run as the SDK streams it: its start, its LLM spans, its end.
 * const run = (traceId: string, answers: string[]) => [
 *   { type: 'trace.start' as const, id: `${traceId}:start`, trace: { id: traceId, name: 'weather', startedAt: at(0), input: 'Weather in Paris?' } },
 *   ...answers.map((text, index) => ({ type: 'span' as const, id: `${traceId}.${index + 1}`, span: llm(traceId, index + 1, text) })),
 *   { type: 'trace.end' as const, id: `${traceId}:end`, trace: { id: traceId, endedAt: at(59), status: 'completed' as const, output: answers.at(-1), totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 59_000 } } },
 * ]
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: [...run('tr_1', ['Let me check.', 'Sunny, 18 °C.']), ...run('tr_2', ['Let me check.', 'Heavy rain and 6 °C in Oslo today.'])] }])
 * const original = (await store.getTrace(project.id, 'tr_1'))!
 * const forked = (await store.getTrace(project.id, 'tr_2'))!
 * const diff = diffFork({ id: 'fk_1', forkPointStep: 2 }, original, forked, compareRuns)
 * ;[diff.divergence.verdict, diff.divergence.first_divergent_step] // → ['diverged', 2]
 * await store.close()
 */
export function diffFork(fork: { id: string; forkPointStep: number }, original: TraceWithSpans, forked: TraceWithSpans, compareRuns: CompareRuns): ForkDiff {
  const a = llmSpansInOrder(original.spans)
  const b = llmSpansInOrder(forked.spans)
  const result = compareRuns(runRecordOf(original), runRecordOf(forked))
  const steps = result.steps.map((pair) => {
    const left = pair.step !== undefined ? a[pair.step - 1] : undefined
    const right = pair.candidateStep !== undefined ? b[pair.candidateStep - 1] : undefined
    return {
      step: pair.step ?? null,
      fork_step: pair.candidateStep ?? null,
      status: pair.status,
      similarity: pair.similarity,
      original: left ? sideOf(left) : null,
      fork: right ? sideOf(right) : null,
      delta: subtract(right ? metricsOf(right) : ZERO, left ? metricsOf(left) : ZERO),
    }
  })
  const originalTotals = totalsOf(original, a)
  const forkTotals = totalsOf(forked, b)
  return {
    fork_id: fork.id,
    trace_id: original.trace.id,
    fork_trace_id: forked.trace.id,
    fork_point_step: fork.forkPointStep,
    divergence: {
      score: round(1 - result.score),
      verdict: result.verdict,
      first_divergent_step: result.firstDivergentStep ?? null,
      reasons: result.reasons.map((reason) => reason.message),
      scorer: { id: result.scorer.id, version: result.scorer.version },
    },
    steps,
    totals: {
      original: originalTotals,
      fork: forkTotals,
      delta: {
        ...subtract(forkTotals, originalTotals),
        steps: forkTotals.steps - originalTotals.steps,
        duration_ms: forkTotals.duration_ms !== null && originalTotals.duration_ms !== null ? round(forkTotals.duration_ms - originalTotals.duration_ms) : null,
        live_cost_usd: round(forkTotals.live_cost_usd - originalTotals.live_cost_usd),
      },
    },
    outcome: {
      original: { status: original.trace.status, output: original.trace.output },
      fork: { status: forked.trace.status, output: forked.trace.output },
    },
  }
}
