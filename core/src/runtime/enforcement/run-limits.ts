import type { RunTotals } from '../trace/active-trace.ts'

/** The ceilings of one run (from `configure()`); each is optional. */
export interface RunLimits {
  maxStepsPerRun?: number | undefined
  maxTokensPerRun?: number | undefined
  maxUsdPerRun?: number | undefined
  loopLimit?: number | undefined
}

/** Why the next LLM call must not go, and the numbers behind it. */
export interface LimitBreach {
  ceiling: 'steps' | 'tokens' | 'usd' | 'loop'
  reason: string
  limit: number
  actual: number
}

/**
 * Checks a run before its next LLM call (pure): the number of calls made, tokens and USD
 * spent, and whether the model keeps asking for the same tool with the same arguments.
 * Returns the first ceiling reached, with a reason that says which and by how much.
 *
 * @example
 * const breach = checkRunLimits({ steps: 10, inputTokens: 0, outputTokens: 0, usd: 0 }, undefined, { maxStepsPerRun: 10 })
 * breach?.ceiling // → 'steps'
 * breach?.reason // → 'step ceiling reached: the run already made 10 LLM call(s); maxStepsPerRun is 10, so call 11 would be 1 over.'
 * checkRunLimits({ steps: 2, inputTokens: 100, outputTokens: 20, usd: 0.01 }, undefined, { maxStepsPerRun: 10, maxUsdPerRun: 1 }) // → undefined
 */
export function checkRunLimits(totals: RunTotals, mostRepeated: { key: string; count: number } | undefined, limits: RunLimits): LimitBreach | undefined {
  const { maxStepsPerRun, maxTokensPerRun, maxUsdPerRun, loopLimit } = limits
  if (maxStepsPerRun !== undefined && totals.steps >= maxStepsPerRun) {
    return {
      ceiling: 'steps',
      limit: maxStepsPerRun,
      actual: totals.steps,
      reason: `step ceiling reached: the run already made ${totals.steps} LLM call(s); maxStepsPerRun is ${maxStepsPerRun}, so call ${totals.steps + 1} would be ${totals.steps + 1 - maxStepsPerRun} over.`,
    }
  }
  const tokens = totals.inputTokens + totals.outputTokens
  if (maxTokensPerRun !== undefined && tokens >= maxTokensPerRun) {
    return { ceiling: 'tokens', limit: maxTokensPerRun, actual: tokens, reason: `token ceiling reached: ${tokens} tokens used, maxTokensPerRun is ${maxTokensPerRun} (over by ${tokens - maxTokensPerRun}).` }
  }
  if (maxUsdPerRun !== undefined && totals.usd >= maxUsdPerRun) {
    return { ceiling: 'usd', limit: maxUsdPerRun, actual: totals.usd, reason: `USD ceiling reached: $${totals.usd.toFixed(6)} spent, maxUsdPerRun is $${maxUsdPerRun} (over by $${(totals.usd - maxUsdPerRun).toFixed(6)}).` }
  }
  if (loopLimit !== undefined && mostRepeated && mostRepeated.count >= loopLimit) {
    const [name, ...args] = mostRepeated.key.split(' ')
    return {
      ceiling: 'loop',
      limit: loopLimit,
      actual: mostRepeated.count,
      reason: `loop detected: the model asked for ${name}(${args.join(' ')}) ${mostRepeated.count} times with the same arguments; loopLimit is ${loopLimit}.`,
    }
  }
  return undefined
}
