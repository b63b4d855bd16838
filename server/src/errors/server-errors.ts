import { RetraceError } from '@retrace/cassettes'

/**
 * The database holds a schema written by a newer server than this one. Nothing is changed;
 * the server refuses to start.
 *
 * @example
 * const error = new StoreSchemaTooNewError(3, 2)
 * error.message.split(':')[0] // → "the database schema is version 3, newer than this server's version 2"
 */
export class StoreSchemaTooNewError extends RetraceError {
  readonly databaseVersion: number
  readonly serverVersion: number

  constructor(databaseVersion: number, serverVersion: number) {
    super(
      'RETRACE_STORE_TOO_NEW',
      `the database schema is version ${databaseVersion}, newer than this server's version ${serverVersion}: upgrade @retrace/server, or point it at another database (--database-url)`,
    )
    this.databaseVersion = databaseVersion
    this.serverVersion = serverVersion
  }
}

/**
 * The store could not be opened (unreachable PostgreSQL, unwritable folder). The message says
 * which and what to check.
 *
 * @example
 * const cause = new Error('connect ECONNREFUSED 10.0.0.5:5432')
 * const error = new StoreUnavailableError('cannot reach PostgreSQL at db.internal:5432 (ECONNREFUSED)', { cause })
 * error.cause === cause // → true
 */
export class StoreUnavailableError extends RetraceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('RETRACE_STORE_UNAVAILABLE', message, options)
  }
}

/** The machine-readable codes of the API's `{ "error": { "code", "message" } }` answers. */
export type ApiErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'credits_exhausted'
  | 'rate_limited'
  | 'invalid_cassette'
  | 'secret_found'
  | 'no_cassette'
  | 'conflict'
  | 'unavailable'
  | 'internal'

/**
 * A request the server answers with an error status: thrown by handlers, turned into the one
 * error shape by the app's error handler.
 *
 * @example
 * const error = new ApiError(404, 'not_found', 'No trace tr_9 in this project.')
 * ;[error.status, error.apiCode, error.code] // → [404, 'not_found', 'RETRACE_API_NOT_FOUND']
 */
export class ApiError extends RetraceError {
  readonly status: number
  readonly apiCode: ApiErrorCode
  /** Seconds, for 429 and 402 answers (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined

  constructor(status: number, code: ApiErrorCode, message: string, options: { retryAfterSeconds?: number } = {}) {
    super(`RETRACE_API_${code.toUpperCase()}`, message)
    this.status = status
    this.apiCode = code
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}
