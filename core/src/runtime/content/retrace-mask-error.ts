import { RetraceError } from '@retrace/cassettes'

/**
 * The `mask` function given to `configure()` threw (or returned a step that is no longer a
 * step). The agent is not affected: that event was dropped, its trace marked lossy, and this
 * error went to `onError`.
 *
 * @example
 * const error = new RetraceMaskError('t1', 'span "lookup"', new Error('mask bug'))
 * error.code // → 'RETRACE_MASK_FAILED'
 * error.traceId // → 't1'
 * error.message.split('\n')[0] // → 'The mask function failed on span "lookup" of trace t1: mask bug. That event was not sent; the trace is marked lossy.'
 */
export class RetraceMaskError extends RetraceError {
  /** The trace whose event was dropped. */
  readonly traceId: string

  constructor(traceId: string, where: string, cause: unknown) {
    super('RETRACE_MASK_FAILED', `The mask function failed on ${where} of trace ${traceId}: ${cause instanceof Error ? cause.message : String(cause)}. That event was not sent; the trace is marked lossy.`, {
      hint: 'Fix the function passed to configure({ mask }): it must return a value for every payload, and never throw.',
      cause,
    })
    this.traceId = traceId
  }
}
