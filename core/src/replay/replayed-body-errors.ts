import type { BodyEnd, NetworkError } from '@retrace/cassettes'

/**
 * The error a replayed body ends with when its recording was cut short: an `AbortError`
 * where the caller aborted, or undici's `TypeError: terminated` where the server dropped
 * the connection, so the agent's error handling sees what it saw when recorded.
 *
 * @example
 * bodyEndError({ outcome: 'aborted', t: 120 }).name // → 'AbortError'
 * bodyEndError({ outcome: 'error', t: 120, message: 'socket hang up' }).message // → 'terminated'
 */
export function bodyEndError(end: BodyEnd): Error {
  if (end.outcome === 'aborted') {
    return new DOMException(`This response was aborted at ${end.t} ms when it was recorded${end.message ? ` (${end.message})` : ''}; replay ends it at the same point.`, 'AbortError')
  }
  return new TypeError('terminated', { cause: new Error(end.message ?? 'The connection was closed mid-body when this response was recorded.') })
}

/**
 * The error a replayed request fails with when it got no response when recorded, shaped
 * like undici's `TypeError: fetch failed` with the original error as `cause`.
 *
 * @example
 * const error = networkErrorOf({ message: 'connect ECONNREFUSED 127.0.0.1:443', code: 'ECONNREFUSED' })
 * error.message // → 'fetch failed'
 * ;(error.cause as { code?: string }).code // → 'ECONNREFUSED'
 */
export function networkErrorOf(error: NetworkError): Error {
  const cause = Object.assign(new Error(error.message), error.code ? { code: error.code } : {}, error.name ? { name: error.name } : {})
  return new TypeError('fetch failed', { cause })
}
