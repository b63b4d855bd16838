import type { ErrorMessage } from '@retrace/protocol'

// The server refuses the client as a whole in three ways: an HTTP status on a POST, a refused
// WebSocket upgrade or a Retrace close code (both seen as an HTTP status), and a connection-level
// `error` message. They all mean one of three things, decided here once.

/**
 * A refusal of the client (not of one batch):
 * - `auth` (401, 403): the API key is refused; sending stops for this process;
 * - `credits` (402): the account is out of credits; delivery pauses;
 * - `rate` (429): too many requests; delivery pauses.
 * `retryAfterSeconds` is what the server said, when it said it.
 */
export type ServerRefusal =
  | { kind: 'auth'; status: number; message?: string | undefined }
  | { kind: 'credits'; retryAfterSeconds?: number | undefined; message?: string | undefined }
  | { kind: 'rate'; retryAfterSeconds?: number | undefined; message?: string | undefined }

/** What came with the status, when anything did. */
export interface RefusalDetails {
  retryAfterSeconds?: number | undefined
  message?: string | undefined
}

/**
 * The refusal an HTTP status means (401/403 → auth, 402 → credits, 429 → rate), or
 * `undefined` when the status is not a refusal of the client.
 *
 * @example
 * import assert from 'node:assert/strict'
 * assert.deepEqual(refusalOfStatus(429, { retryAfterSeconds: 2 }), { kind: 'rate', retryAfterSeconds: 2 })
 * assert.deepEqual(refusalOfStatus(403), { kind: 'auth', status: 403 })
 * assert.equal(refusalOfStatus(503), undefined)
 */
export function refusalOfStatus(status: number, details: RefusalDetails = {}): ServerRefusal | undefined {
  const message = details.message ? { message: details.message } : {}
  if (status === 401 || status === 403) return { kind: 'auth', status, ...message }
  const retry = details.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: details.retryAfterSeconds }
  if (status === 402) return { kind: 'credits', ...retry, ...message }
  if (status === 429) return { kind: 'rate', ...retry, ...message }
  return undefined
}

/** The HTTP status each connection-level error code stands for. */
const STATUS_OF_CODE: Partial<Record<ErrorMessage['code'], number>> = { auth: 401, credits_exhausted: 402, rate_limited: 429 }

/**
 * The refusal a server `error` message means, like the matching HTTP status; `undefined` for
 * `bad_request` and `server`, which are about one batch.
 *
 * @example
 * import assert from 'node:assert/strict'
 * const refusal = refusalOfMessage({ type: 'error', code: 'credits_exhausted', message: 'quota reached', retryAfterSeconds: 60 })
 * assert.deepEqual(refusal, { kind: 'credits', retryAfterSeconds: 60, message: 'quota reached' })
 */
export function refusalOfMessage(message: ErrorMessage): ServerRefusal | undefined {
  const status = STATUS_OF_CODE[message.code]
  return status === undefined ? undefined : refusalOfStatus(status, message)
}
