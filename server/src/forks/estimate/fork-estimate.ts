import { z } from 'zod'
import { canonicalJson, type JsonValue, type Message, type Usage } from '@retrace/cassettes'
import type { WireSpan } from '@retrace/protocol'
import { llmSpansInOrder } from '../cassette/trace-cassette.ts'

/** Prices one call from its token usage (the price table of `@retrace/cassettes`). */
export type PriceCall = (provider: string, model: string | undefined, usage: Usage | undefined) => number

/** Context messages are assumed summarised to this share of their tokens. */
export const COMPRESSED_SHARE = 0.25
/** Characters per token, to size messages whose tokens were not counted one by one. */
export const CHARS_PER_TOKEN = 4

/** The estimate's assumptions, as the API returns them (the README explains each). */
export const ESTIMATE_ASSUMPTIONS = [
  'Token counts are the recorded run’s, step by step: the fork is assumed to make the same calls with the same sizes (a new input changes them a little).',
  'Prices are the price table’s (@retrace/cassettes) for each step’s provider and model, today.',
  'naive: every step from the fork point on, called live. full_rerun: every step of the run, called live (what re-running the agent from the start costs).',
  'Steps before the fork point are served from the recording: they cost nothing (differential replay = full_rerun − naive).',
  'Semantic cache: when an earlier fork or sweep variant of this trace started at the same point with the same input up to case, whitespace and trailing punctuation, and completed, its calls answered the same requests (at temperature 0): the steps it made cost nothing.',
  `Context compression: in a live step, the messages before its last two (except system prompts) are context the model saw before; they are assumed summarised to ${COMPRESSED_SHARE * 100} % of their tokens, sized at ${CHARS_PER_TOKEN} characters per token. Retrace’s replay does not compress: this is what a compressing runner would save.`,
] as const

const StepEstimateSchema = z.object({
  step: z.number().int().positive(),
  span_id: z.string(),
  provider: z.string(),
  model: z.string().nullable(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  treatment: z.enum(['recording', 'semantic_cache', 'compressed', 'live']),
  rerun_usd: z.number().describe('This step called live.'),
  naive_usd: z.number().describe('Its part of the naive cost (0 before the fork point).'),
  optimized_usd: z.number(),
  compressed_input_tokens: z.number().int().describe('Input tokens compression would save.'),
  cached_from_fork_id: z.string().nullable(),
})

export const ForkEstimateSchema = z.object({
  fork_id: z.string(),
  trace_id: z.string(),
  fork_point_step: z.number().int(),
  full_rerun_usd: z.number(),
  naive_usd: z.number(),
  optimized_usd: z.number(),
  savings_usd: z.number().describe('naive − optimized.'),
  savings_pct: z.number().describe('savings / naive × 100 (0 when naive is 0).'),
  savings: z.object({
    differential_replay_usd: z.number().describe('full_rerun − naive: the prefix served from the recording.'),
    semantic_cache_usd: z.number(),
    context_compression_usd: z.number(),
  }),
  steps: z.array(StepEstimateSchema),
  assumptions: z.array(z.string()),
})
export type ForkEstimate = z.infer<typeof ForkEstimateSchema>

/** An earlier fork of the same trace whose calls can answer this one's. */
export interface CachedFork {
  id: string
  forkPointStep: number
  forkPointToolCall: number | null
  modifiedInput: unknown
  /** Its LLM steps (its trace's spans). */
  spans: readonly WireSpan[]
}

const round = (value: number) => Number(value.toFixed(12))

/**
 * An input as the semantic cache compares it: strings lower-cased, whitespace collapsed,
 * trailing punctuation dropped, everywhere in the value.
 *
 * @example
 * cacheKeyOf('What about Oslo? ') === cacheKeyOf('what about  oslo') // → true
 * cacheKeyOf('What about Oslo?') === cacheKeyOf('What about Bergen?') // → false
 */
export function cacheKeyOf(value: unknown): string {
  const normalize = (item: unknown): unknown => {
    if (typeof item === 'string') return item.toLowerCase().replace(/\s+/g, ' ').trim().replace(/[.!?…]+$/u, '').trim()
    if (Array.isArray(item)) return item.map(normalize)
    if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, normalize(entry)]))
    return item
  }
  return canonicalJson(normalize(value ?? null) as JsonValue)
}

/**
 * Tokens of a step's context that compression could summarise: the messages before its last
 * two, except system prompts, at `CHARS_PER_TOKEN` characters per token (text, tool-call
 * arguments and tool results count).
 *
 * @example
 * const text = (role: 'system' | 'user' | 'assistant', content: string) => ({ role, parts: [{ type: 'text' as const, content }] })
 * // The last two messages and system prompts stay; 40 characters are 10 tokens (CHARS_PER_TOKEN 4).
 * compressibleTokens([text('system', 'You are terse.'), text('user', 'x'.repeat(40)), text('assistant', 'Sure.'), text('user', 'And Oslo?')]) // → 10
 */
export function compressibleTokens(messages: readonly Message[]): number {
  const older = messages.slice(0, Math.max(0, messages.length - 2)).filter((message) => message.role !== 'system')
  let chars = 0
  for (const message of older) {
    for (const part of message.parts) {
      if (part.type === 'text' || part.type === 'reasoning' || part.type === 'refusal') chars += part.content.length
      else if (part.type === 'tool_call') chars += part.name.length + JSON.stringify(part.arguments ?? null).length
      else if (part.type === 'tool_call_response') chars += JSON.stringify(part.response ?? null).length
    }
  }
  return Math.ceil(chars / CHARS_PER_TOKEN)
}

/**
 * What a fork will cost before it runs, step by step over the recorded run (see
 * `ESTIMATE_ASSUMPTIONS`): naive (every step from the fork point, live) vs optimized (steps
 * an earlier identical fork answered served from the semantic cache, the rest live with their
 * context compressed where the messages allow), and what a full re-run would cost.
 *
 * @example
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const llm = (n: number, text: string) => ({
 *   id: `sp_${n}`, traceId: 'tr_1', kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 * })
 * const spans = [llm(1, 'Let me check.'), llm(2, 'Checking the forecast.'), llm(3, 'Sunny, 18 °C.')]
 * const price = () => 0.001
 * const fork = { id: 'fk_2', traceId: 'tr_1', forkPointStep: 2, forkPointToolCall: null, modifiedInput: 'What about Oslo?' }
 * const estimate = estimateFork(fork, spans, [], price)
 * // Steps 2 and 3 run live; step 1 comes from the recording.
 * ;[estimate.naive_usd, estimate.full_rerun_usd] // → [0.002, 0.003]
 * // An earlier fork with the same input at the same step answers from the semantic cache:
 * estimateFork(fork, spans, [{ id: 'fk_1', forkPointStep: 2, forkPointToolCall: null, modifiedInput: 'what about oslo', spans }], price).optimized_usd // → 0
 */
export function estimateFork(
  fork: { id: string; traceId: string; forkPointStep: number; forkPointToolCall: number | null; modifiedInput: unknown },
  spans: readonly WireSpan[],
  earlier: readonly CachedFork[],
  price: PriceCall,
): ForkEstimate {
  const key = cacheKeyOf(fork.modifiedInput)
  const hit = earlier.find((candidate) => candidate.id !== fork.id && candidate.forkPointStep === fork.forkPointStep && candidate.forkPointToolCall === fork.forkPointToolCall && cacheKeyOf(candidate.modifiedInput) === key)
  const cachedSteps = hit ? llmSpansInOrder(hit.spans).length : 0
  const steps = llmSpansInOrder(spans).map((span, index) => {
    const step = index + 1
    const stored = span.step!
    const usage = stored.usage
    const rerun = price(stored.provider, stored.model, usage)
    const base = { step, span_id: span.id, provider: stored.provider, model: stored.model ?? null, input_tokens: usage?.inputTokens ?? 0, output_tokens: usage?.outputTokens ?? 0, rerun_usd: rerun }
    if (step < fork.forkPointStep) return { ...base, treatment: 'recording' as const, naive_usd: 0, optimized_usd: 0, compressed_input_tokens: 0, cached_from_fork_id: null }
    if (hit && step <= cachedSteps) return { ...base, treatment: 'semantic_cache' as const, naive_usd: rerun, optimized_usd: 0, compressed_input_tokens: 0, cached_from_fork_id: hit.id }
    const saved = usage ? Math.min(usage.inputTokens, Math.floor(compressibleTokens(stored.input) * (1 - COMPRESSED_SHARE))) : 0
    const optimized = saved > 0 ? price(stored.provider, stored.model, { ...usage!, inputTokens: usage!.inputTokens - saved }) : rerun
    return { ...base, treatment: saved > 0 ? ('compressed' as const) : ('live' as const), naive_usd: rerun, optimized_usd: optimized, compressed_input_tokens: saved, cached_from_fork_id: null }
  })
  const sum = (pick: (step: (typeof steps)[number]) => number) => round(steps.reduce((total, step) => total + pick(step), 0))
  const fullRerun = sum((step) => step.rerun_usd)
  const naive = sum((step) => step.naive_usd)
  const optimized = sum((step) => step.optimized_usd)
  return {
    fork_id: fork.id,
    trace_id: fork.traceId,
    fork_point_step: fork.forkPointStep,
    full_rerun_usd: fullRerun,
    naive_usd: naive,
    optimized_usd: optimized,
    savings_usd: round(naive - optimized),
    savings_pct: naive > 0 ? round(((naive - optimized) / naive) * 100) : 0,
    savings: {
      differential_replay_usd: round(fullRerun - naive),
      semantic_cache_usd: sum((step) => (step.treatment === 'semantic_cache' ? step.naive_usd : 0)),
      context_compression_usd: sum((step) => (step.treatment === 'compressed' ? step.naive_usd - step.optimized_usd : 0)),
    },
    steps,
    assumptions: [...ESTIMATE_ASSUMPTIONS],
  }
}
