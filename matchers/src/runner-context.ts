/** What the test runner adapter tells the matchers about the current test. */
export interface RunnerContext {
  runner: 'vitest' | 'jest'
  /** Absolute path of the test file. */
  testPath: string
  /** Full test name, as the runner prints it. */
  testName: string
  /** `.not` was used. */
  isNot: boolean
  /** The runner was asked to update snapshots (`-u`). */
  update: boolean
  /**
   * Renders an expected/received diff the runner's way, for runners that do not render one
   * from a matcher result (Jest). Vitest renders `expected`/`actual` itself.
   */
  diff?: (expected: unknown, received: unknown) => string | null
}

/** A matcher's verdict, in the shape both runners accept. */
export interface MatcherOutcome {
  pass: boolean
  message: () => string
  expected?: unknown
  actual?: unknown
}
