import { ApiError } from '../errors/server-errors.ts'

/** The dashboard's sign-in cookie: the API key itself, httpOnly (no script can read it), SameSite=Strict. */
export const SESSION_COOKIE = 'retrace_key'
/** Sent only to the API: the pages themselves never need it. */
export const SESSION_COOKIE_PATH = '/api/'
/** The header the dashboard adds to every state-changing call it authenticates with the cookie. */
export const CSRF_HEADER = 'x-retrace-csrf'
/** How long a sign-in lasts (the key is still checked on every request, so revoking it signs out at once). */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The value of one cookie of a `Cookie` header, or undefined.
 *
 * @example
 * readCookie('a=1; retrace_key=rt_live_x', 'retrace_key') // → 'rt_live_x'
 * readCookie(null, 'retrace_key') // → undefined
 */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index < 0 || part.slice(0, index).trim() !== name) continue
    const value = part.slice(index + 1).trim()
    try {
      return decodeURIComponent(value)
    } catch {
      return value
    }
  }
  return undefined
}

/**
 * Refuses a request that could be forged by another site: a browser says where a request
 * comes from in `Sec-Fetch-Site` (and `Origin` on writes), and a state-changing request
 * must carry {@link CSRF_HEADER}, which no other origin can add without a CORS preflight
 * that this server never grants. SameSite=Strict already keeps the cookie off cross-site
 * requests; this is the second lock.
 *
 * @example
 * import assert from 'node:assert/strict'
 * import { ApiError } from '../errors/server-errors.ts'
 * const from = (origin: string) => new Request('http://127.0.0.1:8787/api/v1/shares', { method: 'POST', headers: { origin, [CSRF_HEADER]: '1' } })
 * assertSameOrigin(from('http://127.0.0.1:8787'))
 * // A cross-site write: ApiError 403.
 * assert.throws(() => assertSameOrigin(from('https://evil.example')), (error: ApiError) => error.status === 403)
 */
export function assertSameOrigin(request: Request): void {
  const site = request.headers.get('sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') throw new ApiError(403, 'forbidden', 'Cross-site requests cannot use the dashboard sign-in; scripts send the x-retrace-key header.')
  if (SAFE_METHODS.has(request.method)) return
  const origin = request.headers.get('origin')
  if (origin && origin !== 'null' && origin !== new URL(request.url).origin) throw new ApiError(403, 'forbidden', `Origin ${origin.slice(0, 200)} cannot use the dashboard sign-in.`)
  if (!request.headers.get(CSRF_HEADER)) throw new ApiError(403, 'forbidden', `A request signed in with the dashboard cookie must carry the ${CSRF_HEADER} header (the dashboard sends it); scripts send x-retrace-key instead.`)
}

/**
 * The API key a request presents: the `x-retrace-key` header, or else the dashboard's
 * sign-in cookie, accepted only from the dashboard's own origin (see {@link assertSameOrigin}).
 *
 * @example
 * // In a route: const key = await authenticate(store, presentedKey(c.req.raw), 'read')
 * presentedKey(new Request('http://127.0.0.1:8787/api/v1/traces', { headers: { 'x-retrace-key': 'rt_live_x' } })) // → 'rt_live_x'
 * presentedKey(new Request('http://127.0.0.1:8787/api/v1/traces')) // → undefined
 */
export function presentedKey(request: Request): string | undefined {
  const header = request.headers.get('x-retrace-key')
  if (header !== null) return header
  const cookie = readCookie(request.headers.get('cookie'), SESSION_COOKIE)
  if (cookie === undefined || cookie === '') return undefined
  assertSameOrigin(request)
  return cookie
}

/**
 * The `Set-Cookie` value that signs the dashboard in with `key` (or out, with `undefined`).
 * `Secure` when the request came over HTTPS (directly or through a proxy that says so).
 *
 * @example
 * // Then: headers.append('set-cookie', sessionCookie(request, secret))
 * const request = new Request('https://retrace.example.com/api/v1/dashboard/session', { method: 'POST' })
 * const cookie = sessionCookie(request, 'rt_live_x')
 * cookie.startsWith(`${SESSION_COOKIE}=rt_live_x`) // → true
 * cookie.includes('HttpOnly') && cookie.includes('Secure') // → true
 */
export function sessionCookie(request: Request, key: string | undefined): string {
  const https = new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
  const parts = [`${SESSION_COOKIE}=${key === undefined ? '' : encodeURIComponent(key)}`, `Path=${SESSION_COOKIE_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${key === undefined ? 0 : SESSION_MAX_AGE_SECONDS}`]
  if (https) parts.push('Secure')
  return parts.join('; ')
}
