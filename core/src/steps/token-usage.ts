import type { Usage } from '@retrace/cassettes'
import { asNumber } from './json-guards.ts'

/** Token counts as read from a provider body; any of them may be missing. */
export interface TokenCounts {
  readonly inputTokens?: unknown
  readonly outputTokens?: unknown
  readonly totalTokens?: unknown
  readonly cacheReadTokens?: unknown
  readonly cacheWriteTokens?: unknown
  readonly reasoningTokens?: unknown
}

/**
 * A step `Usage` from raw provider counts, or undefined when the body reported neither input
 * nor output tokens. Zero cache and reasoning counts are left out: every call would otherwise
 * carry `cacheReadTokens: 0` and the noise would drown real changes in a cassette diff.
 *
 * @example
 * buildUsage({ inputTokens: 12, outputTokens: 3, cacheReadTokens: 0 }) // → { inputTokens: 12, outputTokens: 3 }
 * buildUsage({})                                                       // → undefined
 */
export function buildUsage(counts: TokenCounts): Usage | undefined {
  const input = tokenCount(counts.inputTokens)
  const output = tokenCount(counts.outputTokens)
  if (input === undefined && output === undefined) return undefined
  const usage: Usage = { inputTokens: input ?? 0, outputTokens: output ?? 0 }
  const total = tokenCount(counts.totalTokens)
  if (total !== undefined) usage.totalTokens = total
  const cacheRead = tokenCount(counts.cacheReadTokens)
  if (cacheRead) usage.cacheReadTokens = cacheRead
  const cacheWrite = tokenCount(counts.cacheWriteTokens)
  if (cacheWrite) usage.cacheWriteTokens = cacheWrite
  const reasoning = tokenCount(counts.reasoningTokens)
  if (reasoning) usage.reasoningTokens = reasoning
  return usage
}

/**
 * Adds token counts where any may be missing (all missing stays missing).
 *
 * @example
 * addCounts(10, undefined, 5) // → 15
 * addCounts(undefined, null)  // → undefined
 */
export function addCounts(...values: unknown[]): number | undefined {
  let sum: number | undefined
  for (const value of values) {
    const count = tokenCount(value)
    if (count !== undefined) sum = (sum ?? 0) + count
  }
  return sum
}

function tokenCount(value: unknown): number | undefined {
  const count = asNumber(value)
  return count === undefined || count < 0 ? undefined : Math.round(count)
}
