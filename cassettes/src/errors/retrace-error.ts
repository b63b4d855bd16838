/**
 * Base class of every error Retrace throws on purpose. `code` is stable and meant
 * for programs (CI routing, `catch` blocks); `hint` tells a person what to do next.
 *
 * @example
 * try { await run() } catch (error) {
 *   if (error instanceof RetraceError) console.error(error.code, error.hint)
 * }
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
