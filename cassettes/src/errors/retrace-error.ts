/**
 * Base class of every error Retrace throws on purpose. `code` is stable and meant
 * for programs (CI routing, `catch` blocks); `hint` tells a person what to do next.
 *
 * @example
 * const error = new RetraceError('RETRACE_EXAMPLE', 'The cassette is locked.', { hint: 'Close the other test run.' })
 * error.code // → 'RETRACE_EXAMPLE'
 * error.hint // → 'Close the other test run.'
 * error.message // → 'The cassette is locked.\n\nClose the other test run.'
 */
export class RetraceError extends Error {
  /** A stable, machine-readable identifier such as `RETRACE_CASSETTE_FORMAT`. */
  readonly code: string
  /** What to do next, in one sentence. */
  readonly hint: string | undefined

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(options.hint ? `${message}\n\n${options.hint}` : message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.hint = options.hint
  }
}
