import type { Usage } from '../schema/step.ts'

// Providers disagree on whether "input tokens" counts cached tokens: OpenAI and Gemini
// include cache reads in their prompt count, Anthropic reports them apart. Steps keep each
// provider's own number; these helpers are the one place that knows the difference.

/**
 * Every input token of the call, cached or not (what OpenTelemetry's
 * `gen_ai.usage.input_tokens` means, and what long-context price tiers are measured on).
 *
 * @example
 * promptTokens('anthropic', { inputTokens: 10, outputTokens: 5, cacheReadTokens: 1000 }) // → 1010
 * promptTokens('openai', { inputTokens: 1010, outputTokens: 5, cacheReadTokens: 1000 })  // → 1010
 */
export function promptTokens(provider: string, usage: Usage): number {
  return excludesCache(provider) ? usage.inputTokens + cacheTokens(usage) : usage.inputTokens
}

/**
 * Input tokens billed at the full input rate (neither read from nor written to the cache).
 *
 * @example
 * uncachedInputTokens('openai', { inputTokens: 1010, outputTokens: 5, cacheReadTokens: 1000 }) // → 10
 * uncachedInputTokens('anthropic', { inputTokens: 10, outputTokens: 5, cacheReadTokens: 1000 }) // → 10
 */
export function uncachedInputTokens(provider: string, usage: Usage): number {
  return excludesCache(provider) ? usage.inputTokens : Math.max(0, usage.inputTokens - cacheTokens(usage))
}

function excludesCache(provider: string): boolean {
  return provider === 'anthropic'
}

function cacheTokens(usage: Usage): number {
  return (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0)
}
