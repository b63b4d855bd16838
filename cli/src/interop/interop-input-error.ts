import { RetraceError } from '@retrace/cassettes'

/** The foreign formats `retrace import` reads and `retrace export` writes, plus Retrace's own. */
export type InteropFormat = 'har' | 'nock' | 'agent-cassette' | 'msw' | 'otel' | 'cassette'

const FORMAT_NAMES: Readonly<Record<InteropFormat, string>> = {
  har: 'HAR',
  nock: 'nock definitions',
  'agent-cassette': 'agent-cassette JSONL',
  msw: 'MSW handlers',
  otel: 'OTLP JSON',
  cassette: 'Retrace cassette',
}

/** What an {@link InteropInputError} knows about the bad input. */
export interface InteropInputProblem {
  readonly format: InteropFormat
  /** The file (or `<stdin>`-like label) the data came from. */
  readonly source: string
  /** Where in it: a JSON path (`$.log.entries[3].response.status`), possibly after a line number. */
  readonly field?: string
  readonly problem: string
  readonly hint?: string
}

/**
 * An input file cannot be converted: it is missing, not JSON, a field is missing or has the
 * wrong type, or it uses a version this Retrace does not read. The message names the file and
 * the field; nothing is written. `retrace import` / `retrace export` exit 2 on it (an unusable
 * input, like an unreadable cassette).
 *
 * @example
 * const error = new InteropInputError({ format: 'har', source: 'run.har', field: '$.log.entries', problem: 'expected an array' })
 * error.code // → 'RETRACE_INTEROP_INPUT'
 * error.message.includes('$.log.entries') // → true
 */
export class InteropInputError extends RetraceError {
  readonly format: InteropFormat
  readonly source: string
  readonly field: string | undefined

  constructor(details: InteropInputProblem) {
    const where = details.field ? `${details.field}: ` : ''
    super('RETRACE_INTEROP_INPUT', `${details.source} is not usable as ${FORMAT_NAMES[details.format]}: ${where}${details.problem}`, details.hint ? { hint: details.hint } : {})
    this.format = details.format
    this.source = details.source
    this.field = details.field
  }
}
