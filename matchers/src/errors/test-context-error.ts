import { RetraceError } from '@retrace/cassettes/errors'

/**
 * A matcher was called through an `expect` that cannot tell which test is running: the
 * imported `expect` inside `test.concurrent` (it guesses the test most recently started, so
 * the run would be written into another test's cassette), or outside any test. Thrown before
 * anything runs, the way Vitest's own `toMatchSnapshot` refuses. The fix is the test
 * context's own `expect`: `test.concurrent('books', async ({ expect }) => { await expect(() => runAgent()).toMatchCassette() })`.
 *
 * @example
 * const error = new TestContextError('toMatchCassette', 'concurrent')
 * error.code // → 'RETRACE_NO_TEST_CONTEXT'
 * error.matcher // → 'toMatchCassette'
 * error.hint // → "Use the test context's expect: test.concurrent('name', async ({ expect }) => { await expect(() => runAgent()).toMatchCassette() })"
 */
export class TestContextError extends RetraceError {
  /** The matcher that refused, e.g. `toMatchCassette`. */
  readonly matcher: string

  constructor(matcher: string, why: 'concurrent' | 'outside-test') {
    const problem =
      why === 'concurrent'
        ? 'the imported expect cannot tell which of the tests running concurrently called it, so the run would be written into another test’s cassette'
        : 'it was called outside a running test'
    super('RETRACE_NO_TEST_CONTEXT', `'${matcher}' cannot be used without test context: ${problem}.`, {
      hint: `Use the test context's expect: test.concurrent('name', async ({ expect }) => { await expect(() => runAgent()).${matcher}() })`,
    })
    this.matcher = matcher
  }
}
