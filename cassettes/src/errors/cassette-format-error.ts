import { RetraceError } from './retrace-error.ts'

/** Why a cassette file could not be used. */
export type CassetteFormatProblem = 'unreadable' | 'invalid-json' | 'invalid-schema' | 'newer-version' | 'missing-version'

/**
 * A cassette file is corrupt, does not match the schema, or was written by a newer
 * Retrace. The file is never modified when this is thrown.
 *
 * @example
 * try { readCassetteFile('a.cassette.json') } catch (error) {
 *   if (error instanceof CassetteFormatError) console.error(error.file, error.problem)
 * }
 */
export class CassetteFormatError extends RetraceError {
  readonly file: string
  readonly problem: CassetteFormatProblem
  /** JSON path of the first offending field, when the schema rejected one. */
  readonly path: string | undefined

  constructor(options: { file: string; problem: CassetteFormatProblem; detail: string; hint: string; path?: string; cause?: unknown }) {
    super('RETRACE_CASSETTE_FORMAT', `Cassette ${options.file} is not usable: ${options.detail}`, {
      hint: options.hint,
      cause: options.cause,
    })
    this.file = options.file
    this.problem = options.problem
    this.path = options.path
  }
}
