import { describe, expect, test } from 'vitest'
import { estimateCost, type Message } from '@retrace/cassettes'
import type { WireSpan } from '@retrace/protocol'
import { cacheKeyOf, compressibleTokens, estimateFork } from './fork-estimate.ts'

// The estimate on a fixture, against a computation by hand. gpt-4o-mini in the price table:
// $0.15 per million input tokens, $0.60 per million output tokens.

const IN = 0.15 / 1_000_000
const OUT = 0.6 / 1_000_000
const price = (provider: string, model: string | undefined, usage: Parameters<typeof estimateCost>[2]) => estimateCost(provider, model, usage).costUsd

const user = (content: string): Message => ({ role: 'user', parts: [{ type: 'text', content }] })
const assistant = (content: string): Message => ({ role: 'assistant', parts: [{ type: 'text', content }] })
const toolCall = (name: string, args: Record<string, string>): Message => ({ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name, arguments: args }] })
const toolResult = (response: Record<string, string>): Message => ({ role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response }] })

// Step 3's context: 'What is the weather in Paris?' (29) + get_weather {"city":"Paris"} (11 + 16)
// + {"sky":"sunny"} (15) = 71 characters before its last two messages.
const STEP3_INPUT = [user('What is the weather in Paris?'), toolCall('get_weather', { city: 'Paris' }), toolResult({ sky: 'sunny' }), assistant('Sunny.'), user('And the time?')]
const STEP4_INPUT = [...STEP3_INPUT, toolCall('get_time', { city: 'Paris' }), toolResult({ time: '14:05' })]

function llmSpan(step: number, inputTokens: number, outputTokens: number, input: Message[]): WireSpan {
  return {
    id: `s${step}`,
    traceId: 'tr',
    kind: 'llm',
    name: 'openai.chat.completions',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:01.000Z',
    durationMs: 1000,
    status: 'ok',
    forkPoint: { step },
    step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input, tools: [], output: [], usage: { inputTokens, outputTokens } },
  }
}

const SPANS = [
  llmSpan(1, 100, 10, [user('What is the weather in Paris?')]),
  llmSpan(2, 150, 20, STEP3_INPUT.slice(0, 3)),
  llmSpan(3, 200, 30, STEP3_INPUT),
  llmSpan(4, 260, 40, STEP4_INPUT),
]
const FORK = { id: 'fk_new', traceId: 'tr', forkPointStep: 3, forkPointToolCall: null, modifiedInput: 'What is the weather in Oslo?' }

describe('estimateFork', () => {
  test('naive, full re-run, compression and savings equal the hand computation', () => {
    expect(compressibleTokens(STEP3_INPUT)).toBe(18) // ceil(71 / 4)
    // Step 4: 71 + 'Sunny.' (6) + 'And the time?' (13) = 90 characters → 23 tokens.
    expect(compressibleTokens(STEP4_INPUT)).toBe(23)
    const estimate = estimateFork(FORK, SPANS, [], price)
    const rerun = [100 * IN + 10 * OUT, 150 * IN + 20 * OUT, 200 * IN + 30 * OUT, 260 * IN + 40 * OUT]
    // Compression saves floor(0.75 × 18) = 13 input tokens at step 3 and floor(0.75 × 23) = 17 at step 4.
    const optimized3 = (200 - 13) * IN + 30 * OUT
    const optimized4 = (260 - 17) * IN + 40 * OUT
    expect(estimate.steps.map((step) => step.treatment)).toEqual(['recording', 'recording', 'compressed', 'compressed'])
    expect(estimate.steps.map((step) => step.compressed_input_tokens)).toEqual([0, 0, 13, 17])
    expect(estimate.full_rerun_usd).toBeCloseTo(rerun[0]! + rerun[1]! + rerun[2]! + rerun[3]!, 12)
    expect(estimate.naive_usd).toBeCloseTo(rerun[2]! + rerun[3]!, 12)
    expect(estimate.optimized_usd).toBeCloseTo(optimized3 + optimized4, 12)
    expect(estimate.savings_usd).toBeCloseTo((13 + 17) * IN, 12)
    expect(estimate.savings.context_compression_usd).toBeCloseTo((13 + 17) * IN, 12)
    expect(estimate.savings.differential_replay_usd).toBeCloseTo(rerun[0]! + rerun[1]!, 12)
    expect(estimate.savings.semantic_cache_usd).toBe(0)
    expect(estimate.savings_pct).toBeCloseTo((((13 + 17) * IN) / (rerun[2]! + rerun[3]!)) * 100, 9)
    expect(estimate.assumptions.length).toBeGreaterThanOrEqual(5)
  })

  test('an earlier completed fork at the same point with the same input (up to case and punctuation) serves its steps from the cache', () => {
    const earlier = { id: 'fk_old', forkPointStep: 3, forkPointToolCall: null, modifiedInput: 'what is the weather in  oslo', spans: SPANS }
    const estimate = estimateFork(FORK, SPANS, [earlier], price)
    expect(estimate.steps.map((step) => step.treatment)).toEqual(['recording', 'recording', 'semantic_cache', 'semantic_cache'])
    expect(estimate.steps.map((step) => step.cached_from_fork_id)).toEqual([null, null, 'fk_old', 'fk_old'])
    expect(estimate.optimized_usd).toBe(0)
    expect(estimate.savings.semantic_cache_usd).toBeCloseTo(200 * IN + 30 * OUT + 260 * IN + 40 * OUT, 12)
    // Another input, or another fork point, is not the same request.
    expect(estimateFork(FORK, SPANS, [{ ...earlier, modifiedInput: 'What is the weather in Rome?' }], price).savings.semantic_cache_usd).toBe(0)
    expect(estimateFork(FORK, SPANS, [{ ...earlier, forkPointStep: 2 }], price).savings.semantic_cache_usd).toBe(0)
  })

  test('the cache key ignores case, whitespace and trailing punctuation, in strings anywhere in the input', () => {
    expect(cacheKeyOf('What about Oslo? ')).toBe(cacheKeyOf('what about  oslo'))
    expect(cacheKeyOf({ city: 'Oslo!', days: 2 })).toBe(cacheKeyOf({ days: 2, city: 'oslo' }))
    expect(cacheKeyOf(['Oslo'])).not.toBe(cacheKeyOf(['Rome']))
  })
})
