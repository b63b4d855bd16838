// Types for the matchers Jest gets from this preset.
import type { Budget, ExpectedToolCall, MatchCassetteOptions, TrajectoryMode } from '@retrace/matchers'

export type { Budget, ExpectedToolCall, MatchCassetteOptions, TrajectoryMode }

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** @example await expect(() => runAgent('Book me a flight to Paris')).toMatchCassette() */
    toMatchCassette(name?: string | MatchCassetteOptions, options?: MatchCassetteOptions): Promise<R>
    /** @example await expect(() => runAgent()).toMatchTrajectory(['search_flights', 'book_flight'], { mode: 'strict' }) */
    toMatchTrajectory(expected: ExpectedToolCall[], options?: { mode?: TrajectoryMode; name?: string }): Promise<R>
    /** @example await expect(() => runAgent()).toStayWithinBudget({ usd: 0.05, tokens: 8000, steps: 6 }) */
    toStayWithinBudget(budget: Budget): Promise<R>
  }
}
