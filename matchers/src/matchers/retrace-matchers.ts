import type { MatcherOutcome, RunnerContext } from '../runner-context.ts'
import { matchCassette } from './match-cassette.ts'
import { matchTrajectory } from './match-trajectory.ts'
import { readReceivedRun } from '../runs/received-run.ts'
import { matchBudget } from './stay-within-budget.ts'

/**
 * The three Retrace matchers, ready for a runner's `expect.extend`. `contextOf` reads the
 * runner's matcher state (`this` inside a matcher) into a {@link RunnerContext}; it is told
 * which matcher asks and whether the agent will run under the test's cassette, and throws
 * (a `TestContextError`) when that needs a test the state cannot name reliably.
 *
 * @example
 * import { expect } from 'vitest'
 * import type { StoredStep } from '@retrace/cassettes'
 * // Vitest's matcher state (`this` in a matcher) has the test's file and name.
 * const matchers = retraceMatchers((state: { testPath?: string; currentTestName?: string; isNot: boolean }) => ({
 *   runner: 'vitest',
 *   testPath: state.testPath ?? 'unknown.test.ts',
 *   testName: state.currentTestName ?? 'unnamed',
 *   isNot: state.isNot,
 *   update: false,
 * }))
 * expect.extend(matchers)
 * const run: StoredStep[] = [{ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [], usage: { inputTokens: 900, outputTokens: 100 } }]
 * await expect(run).toStayWithinBudget({ tokens: 2000, steps: 1 })
 */
export function retraceMatchers<State>(contextOf: (state: State, matcher: string, runsAgent: boolean) => RunnerContext): {
  toMatchCassette(this: State, received: unknown, ...args: unknown[]): Promise<MatcherOutcome>
  toMatchTrajectory(this: State, received: unknown, expected: unknown, options?: unknown): Promise<MatcherOutcome>
  toStayWithinBudget(this: State, received: unknown, budget: unknown): Promise<MatcherOutcome>
} {
  return {
    toMatchCassette(received, ...args) {
      return matchCassette(contextOf(this, 'toMatchCassette', true), received, args)
    },
    toMatchTrajectory(received, expected, options) {
      return matchTrajectory(contextOf(this, 'toMatchTrajectory', runsAgent(received)), received, expected, options)
    },
    toStayWithinBudget(received, budget) {
      return matchBudget(contextOf(this, 'toStayWithinBudget', runsAgent(received)), received, budget)
    },
  }
}

/** True when the matcher will run the agent (or await its run) under the test's cassette. */
function runsAgent(received: unknown): boolean {
  return readReceivedRun(received, true)?.kind !== 'steps'
}
