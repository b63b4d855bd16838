import { z } from 'zod'
import { ApiError, type ApiErrorCode } from '../errors/server-errors.ts'

/** The one error shape of every API answer. */
export const ApiErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
})

/** Protocol error codes (PROTOCOL.md §5.3), used on the /v1 ingest endpoints. */
const PROTOCOL_CODES: Partial<Record<ApiErrorCode, string>> = {
  unauthorized: 'auth',
  forbidden: 'auth',
  credits_exhausted: 'credits_exhausted',
  rate_limited: 'rate_limited',
  bad_request: 'bad_request',
  payload_too_large: 'bad_request',
  unavailable: 'server',
  internal: 'server',
}

/**
 * The JSON answer for an error: `{ "error": { "code", "message" } }` with the right status
 * and `Retry-After` on 429/402. On the protocol's own endpoints (`/v1/…`) the body also
 * carries the flat `code` / `message` / `retryAfterSeconds` of PROTOCOL.md §6.
 *
 * @example
 * import { ApiError } from '../errors/server-errors.ts'
 * // In a handler: return errorResponse(new ApiError(404, 'not_found', 'No trace tr_1 in this project.'))
 * const response = errorResponse(new ApiError(404, 'not_found', 'No trace tr_1 in this project.'))
 * response.status // → 404
 * await response.json() // → { error: { code: 'not_found', message: 'No trace tr_1 in this project.' } }
 */
export function errorResponse(error: ApiError, options: { protocol?: boolean } = {}): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(0, Math.round(error.retryAfterSeconds * 1000) / 1000))
  const body: Record<string, unknown> = { error: { code: error.apiCode, message: error.message } }
  if (options.protocol) {
    body.code = PROTOCOL_CODES[error.apiCode] ?? 'bad_request'
    body.message = error.message
    if (error.retryAfterSeconds !== undefined) body.retryAfterSeconds = error.retryAfterSeconds
  }
  return new Response(JSON.stringify(body), { status: error.status, headers })
}

/**
 * Any thrown value as an ApiError: known ones keep their status, anything else is a 500
 * whose message says nothing about the internals (the log has them).
 *
 * @example
 * import { ApiError } from '../errors/server-errors.ts'
 * asApiError(new ApiError(400, 'bad_request', 'no body')).status // → 400
 * // Anything else is a 500 that names no internals:
 * asApiError(new TypeError('x is undefined')).status // → 500
 */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  return new ApiError(500, 'internal', 'The server could not complete the request; it was logged. Try again.')
}
