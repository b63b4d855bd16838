import { RetraceError } from './retrace-error.ts'

/**
 * Replay was asked for a cassette that does not exist: mode `replay`, or mode `auto`
 * under CI (where recording live would be a silent, billed call).
 *
 * @example
 * import { startCassette } from '@retrace/core'
 * try {
 *   startCassette('missing.cassette.json', { mode: 'replay' })
 * } catch (error) {
 *   if (!(error instanceof CassetteMissingError)) throw error
 *   error.file.endsWith('missing.cassette.json') // → true
 * }
 */
export class CassetteMissingError extends RetraceError {
  readonly file: string

  constructor(file: string, why: 'replay-mode' | 'ci') {
    super(
      'RETRACE_CASSETTE_MISSING',
      why === 'ci'
        ? `Cassette ${file} does not exist, and under CI (the CI environment variable is set) Retrace never records: that would be a live, billed call.`
        : `Cassette ${file} does not exist, and mode 'replay' never records.`,
      { hint: `Record it locally first (RETRACE_MODE=record, or mode 'auto' outside CI), then commit ${file}.` },
    )
    this.file = file
  }
}
