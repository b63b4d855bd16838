import { RetraceConfigError, type StoredStep, type Step } from '@retrace/cassettes'
import type { MatcherOutcome, RunnerContext } from '../runner-context.ts'
import { stepsOfRun } from './match-trajectory.ts'

/** Ceilings for one run; each is optional. */
export interface Budget {
  /** Total cost in USD (from the price table; unknown models are priced high). */
  usd?: number
  /** Total tokens, input plus output (reasoning included). */
  tokens?: number
  /** Number of LLM calls. */
  steps?: number
}

/** What a run spent. */
export interface RunSpend {
  usd: number
  tokens: number
  steps: number
}

/**
 * Sums a run's cost, tokens and LLM calls.
 *
 * @example
 * import type { StoredStep } from '@retrace/cassettes'
 * const step = (inputTokens: number, outputTokens: number, costUsd: number): StoredStep => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [], usage: { inputTokens, outputTokens }, costUsd })
 * const spent = spendOf([step(500, 120, 0.0002), step(150, 42, 0.0001)])
 * spent.tokens // → 812
 * spent.steps // → 2
 * spent.usd.toFixed(4) // → '0.0003'
 */
export function spendOf(steps: ReadonlyArray<Step | StoredStep>): RunSpend {
  let usd = 0
  let tokens = 0
  for (const step of steps) {
    usd += step.costUsd ?? 0
    tokens += (step.usage?.inputTokens ?? 0) + (step.usage?.outputTokens ?? 0)
  }
  return { usd, tokens, steps: steps.length }
}

/**
 * `expect(run).toStayWithinBudget({ usd, tokens, steps })`: fails naming every ceiling the
 * run went over, and by how much. `run` is what `toMatchTrajectory` accepts.
 *
 * @example
 * import type { StoredStep } from '@retrace/cassettes'
 * const context = { runner: 'vitest' as const, testPath: '/repo/agent.test.ts', testName: 'books', isNot: false, update: false }
 * const run: StoredStep[] = [{ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [], usage: { inputTokens: 7000, outputTokens: 1500 }, costUsd: 0.02 }]
 * const outcome = await matchBudget(context, run, { usd: 0.05, tokens: 8000, steps: 6 })
 * outcome.pass // → false
 * outcome.message().split('\n')[1] // → '  • 8500 tokens is over the 8000 ceiling by 500'
 */
export async function matchBudget(context: RunnerContext, received: unknown, budget: unknown, name?: string): Promise<MatcherOutcome> {
  const limits = readBudget(budget)
  const steps = await stepsOfRun(context, received, name, 'toStayWithinBudget')
  if (!Array.isArray(steps)) return steps
  const spent = spendOf(steps)
  const over: string[] = []
  if (limits.usd !== undefined && spent.usd > limits.usd) over.push(`cost $${spent.usd.toFixed(6)} is over the $${limits.usd} ceiling by $${(spent.usd - limits.usd).toFixed(6)}`)
  if (limits.tokens !== undefined && spent.tokens > limits.tokens) over.push(`${spent.tokens} tokens is over the ${limits.tokens} ceiling by ${spent.tokens - limits.tokens}`)
  if (limits.steps !== undefined && spent.steps > limits.steps) over.push(`${spent.steps} LLM calls is over the ${limits.steps} ceiling by ${spent.steps - limits.steps}`)
  const summary = `spent $${spent.usd.toFixed(6)}, ${spent.tokens} tokens, ${spent.steps} LLM calls`
  return {
    pass: over.length === 0,
    message: () => (over.length ? `The run went over its budget:\n  • ${over.join('\n  • ')}\n\n(${summary})` : `The run stayed within budget (${summary}).`),
  }
}

function readBudget(budget: unknown): Budget {
  const value = (budget ?? {}) as Record<string, unknown>
  const keys = Object.keys(value)
  const unknown = keys.filter((key) => !['usd', 'tokens', 'steps'].includes(key))
  if (typeof budget !== 'object' || budget === null || keys.length === 0 || unknown.length) {
    throw new RetraceConfigError('toStayWithinBudget budget', unknown.length ? `unknown ceiling(s) ${unknown.join(', ')}` : 'expected at least one ceiling.', 'Example: toStayWithinBudget({ usd: 0.05, tokens: 8000, steps: 6 })')
  }
  for (const key of keys) {
    const limit = value[key]
    if (typeof limit !== 'number' || !(limit >= 0)) throw new RetraceConfigError(`toStayWithinBudget ${key}`, `expected a non-negative number, got ${JSON.stringify(limit)}.`)
  }
  return value as Budget
}
