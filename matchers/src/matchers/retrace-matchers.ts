import type { MatcherOutcome, RunnerContext } from '../runner-context.ts'
import { matchCassette } from './match-cassette.ts'
import { matchTrajectory } from './match-trajectory.ts'
import { matchBudget } from './stay-within-budget.ts'

/**
 * The three Retrace matchers, ready for a runner's `expect.extend`. `contextOf` reads the
 * runner's matcher state (`this` inside a matcher) into a {@link RunnerContext}.
 *
 * @example
 * expect.extend(retraceMatchers((state) => ({ runner: 'vitest', testPath: state.testPath, … })))
 */
export function retraceMatchers<State>(contextOf: (state: State) => RunnerContext): {
  toMatchCassette(this: State, received: unknown, ...args: unknown[]): Promise<MatcherOutcome>
  toMatchTrajectory(this: State, received: unknown, expected: unknown, options?: unknown): Promise<MatcherOutcome>
  toStayWithinBudget(this: State, received: unknown, budget: unknown): Promise<MatcherOutcome>
} {
  return {
    toMatchCassette(received, ...args) {
      return matchCassette(contextOf(this), received, args)
    },
    toMatchTrajectory(received, expected, options) {
      return matchTrajectory(contextOf(this), received, expected, options)
    },
    toStayWithinBudget(received, budget) {
      return matchBudget(contextOf(this), received, budget)
    },
  }
}
