import { RetraceError } from './retrace-error.ts'

/**
 * Why a cassette file could not be used:
 * - `not-a-file`: a folder, a FIFO, a device (a link to `/dev/zero`), a socket or a dangling link;
 * - `too-large`: larger than the longest string Node can hold;
 * - `unreadable`: the file system refused to read it;
 * - `invalid-utf8`: bytes that are not UTF-8 (they would silently read as U+FFFD);
 * - `invalid-json`: not JSON at all;
 * - `duplicate-key`: an object with the same key twice (a JSON reader keeps the last);
 * - `too-deep`: nested deeper than `MAX_CASSETTE_DEPTH`;
 * - `number-out-of-range`: a number beyond a double (`1e309`), which reads as Infinity;
 * - `missing-version` / `newer-version`: not a Retrace cassette, or a newer format;
 * - `invalid-schema`: a field of the wrong type or value (every such field is in `issues`).
 */
export type CassetteFormatProblem =
  | 'not-a-file'
  | 'too-large'
  | 'unreadable'
  | 'invalid-utf8'
  | 'invalid-json'
  | 'duplicate-key'
  | 'too-deep'
  | 'number-out-of-range'
  | 'invalid-schema'
  | 'newer-version'
  | 'missing-version'

/** One thing wrong in a cassette, by JSON path (`$` for the file as a whole). */
export interface CassetteFormatIssue {
  path: string
  message: string
}

/** Options of {@link CassetteFormatError}. */
export interface CassetteFormatErrorOptions {
  file: string
  problem: CassetteFormatProblem
  /** The sentence after "is not usable:", naming the JSON path when there is one. */
  detail: string
  /** What to do about it. */
  hint: string
  /** JSON path of the first offending value; `$` (the default) for the whole file. */
  path?: string
  /** 1-based line and column in the file, when known. */
  line?: number
  column?: number
  /** Every problem found (schema problems are all listed); defaults to the one described. */
  issues?: CassetteFormatIssue[]
  cause?: unknown
}

/**
 * A cassette file is corrupt, is not a regular UTF-8 JSON file, does not match the schema,
 * or was written by a newer Retrace. The message names the file, the JSON path and the fix;
 * the file is never modified when this is thrown. Replay (`startCassette`, `readCassetteFile`)
 * and `retrace cassette lint` reach the same verdict through the same check.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { readCassetteFile } from '@retrace/cassettes'
 * const file = join(mkdtempSync(join(tmpdir(), 'cassettes-')), 'agent.cassette.json')
 * writeFileSync(file, '{ "version": 1, "interactions": [{ "request": {} }] }')
 * try {
 *   readCassetteFile(file)
 * } catch (error) {
 *   if (!(error instanceof CassetteFormatError)) throw error
 *   error.file === file // → true
 *   error.problem // → 'invalid-schema'
 *   error.path // → '$.interactions[0].request.method'
 * }
 */
export class CassetteFormatError extends RetraceError {
  readonly file: string
  readonly problem: CassetteFormatProblem
  /** JSON path of the first offending value; `$` when the problem is the file as a whole. */
  readonly path: string
  /** 1-based line of the problem in the file, when known. */
  readonly line: number | undefined
  /** 1-based column of the problem in the file, when known. */
  readonly column: number | undefined
  /** Every problem found, each with its JSON path. */
  readonly issues: readonly CassetteFormatIssue[]

  constructor(options: CassetteFormatErrorOptions) {
    super('RETRACE_CASSETTE_FORMAT', `Cassette ${options.file} is not usable: ${options.detail}`, {
      hint: options.hint,
      cause: options.cause,
    })
    this.file = options.file
    this.problem = options.problem
    this.path = options.path ?? '$'
    this.line = options.line
    this.column = options.column
    this.issues = options.issues ?? [{ path: this.path, message: options.detail }]
  }
}
