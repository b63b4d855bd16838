import type { Budget, ExpectedToolCall, MatchCassetteOptions, TrajectoryMode } from '@retrace/matchers'

/** The Retrace matchers, as they appear on `expect(…)`. */
export interface RetraceMatchers {
  /**
   * Records the run as a golden cassette the first time, replays and compares it afterwards.
   * @example await expect(() => runAgent('Book me a flight to Paris')).toMatchCassette()
   */
  toMatchCassette(name?: string, options?: MatchCassetteOptions): Promise<void>
  toMatchCassette(options: MatchCassetteOptions): Promise<void>
  /**
   * Checks the run's tool-call sequence.
   * @example await expect(() => runAgent()).toMatchTrajectory(['search_flights', 'book_flight'], { mode: 'strict' })
   */
  toMatchTrajectory(expected: ExpectedToolCall[], options?: { mode?: TrajectoryMode; name?: string }): Promise<void>
  /**
   * Checks the run's cost, tokens and number of LLM calls.
   * @example await expect(() => runAgent()).toStayWithinBudget({ usd: 0.05, tokens: 8000, steps: 6 })
   */
  toStayWithinBudget(budget: Budget): Promise<void>
}

declare module 'vitest' {
  // Merged declarations must repeat Vitest's type parameters exactly.
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends RetraceMatchers {}
}
