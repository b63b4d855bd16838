import { RetraceError } from '@retrace/cassettes'

/**
 * A command was used wrongly (bad flag, missing argument, nothing to run). The CLI prints the
 * message and exits 5.
 *
 * @example
 * const error = new UsageError('--report takes a format and a file')
 * error instanceof Error // → true
 * error.message // → '--report takes a format and a file'
 */
export class UsageError extends RetraceError {
  constructor(message: string) {
    super('RETRACE_USAGE', message)
  }
}
