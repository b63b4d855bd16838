import { signal } from '@preact/signals'
import { api, ApiCallError, setUnauthorizedHandler } from '../api/api-client.ts'
import type { DashboardSession } from '../api/api-types.ts'
import { startLiveUpdates, stopLiveUpdates } from '../api/live-updates.ts'

/** Signed in (the session), signed out (null), or not known yet (undefined). */
export const session = signal<DashboardSession | null | undefined>(undefined)

setUnauthorizedHandler(() => {
  stopLiveUpdates()
  session.value = null
})

const SESSION_PATH = '/api/v1/dashboard/session'

/**
 * Asks the server who the sign-in cookie belongs to.
 *
 * @example
 * // In place of the server: its answer for a signed-in cookie
 * const pageFetch = globalThis.fetch
 * globalThis.fetch = async () => new Response(JSON.stringify({
 *   signedIn: true,
 *   project: { id: 'p_1', name: 'default' },
 *   key: { id: 'key_1', name: 'first key', prefix: 'rt_live_AbCd', scopes: ['ingest', 'read', 'admin'] },
 *   sharing: 'off',
 * }))
 * await loadSession()
 * session.value?.project.name // → 'default'
 * // Without a cookie the server answers { signedIn: false }: signed out, not an error
 * globalThis.fetch = async () => new Response(JSON.stringify({ signedIn: false }))
 * await loadSession()
 * session.value // → null
 * globalThis.fetch = pageFetch
 */
export async function loadSession(): Promise<void> {
  try {
    const answer = await api<DashboardSession | { signedIn: false }>(SESSION_PATH, { quiet401: true })
    session.value = answer.signedIn ? answer : null
    if (answer.signedIn) startLiveUpdates()
  } catch (error) {
    if (error instanceof ApiCallError && (error.status === 401 || error.status === 403)) session.value = null
    else throw error
  }
}

/**
 * Signs in with an API key: the server checks it and keeps it in an httpOnly cookie.
 *
 * @example
 * // In place of the server: it checks the key and answers the session
 * const pageFetch = globalThis.fetch
 * const sent: RequestInit[] = []
 * globalThis.fetch = async (_path, init) => {
 *   sent.push(init!)
 *   return new Response(JSON.stringify({ signedIn: true, project: { id: 'p_1', name: 'default' }, key: { id: 'key_1', name: 'ci', prefix: 'rt_live_AbCd', scopes: ['read'] }, sharing: 'off' }))
 * }
 * await signIn(' rt_live_AbCdEfGh\n')
 * ;[sent[0]!.method, sent[0]!.body] // → ['POST', '{"key":"rt_live_AbCdEfGh"}']
 * session.value?.key.scopes // → ['read']
 * // A wrong key: the server's message, for the sign-in form
 * globalThis.fetch = async () => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'Invalid API key.' } }), { status: 401 })
 * await signIn('rt_live_wrong').catch((error: Error) => error.message) // → 'Invalid API key.'
 * globalThis.fetch = pageFetch
 */
export async function signIn(key: string): Promise<void> {
  session.value = await api<DashboardSession>(SESSION_PATH, { method: 'POST', body: { key: key.trim() }, quiet401: true })
  startLiveUpdates()
}

/**
 * Signs out: the server clears the cookie.
 *
 * @example
 * const pageFetch = globalThis.fetch
 * const calls: string[] = []
 * globalThis.fetch = async (path, init) => {
 *   calls.push(`${init?.method} ${String(path)}`)
 *   return new Response(JSON.stringify({ signedOut: true }))
 * }
 * await signOut()
 * calls // → ['DELETE /api/v1/dashboard/session']
 * session.value // → null
 * // The page signs out even when the server cannot be reached
 * globalThis.fetch = async () => Promise.reject(new TypeError('Failed to fetch'))
 * await signOut()
 * globalThis.fetch = pageFetch
 */
export async function signOut(): Promise<void> {
  stopLiveUpdates()
  await api(SESSION_PATH, { method: 'DELETE', quiet401: true }).catch(() => {})
  session.value = null
}

/**
 * Whether the signed-in key may do admin things (share, revoke).
 *
 * @example
 * session.value = {
 *   signedIn: true,
 *   project: { id: 'p_1', name: 'default' },
 *   key: { id: 'key_1', name: 'first key', prefix: 'rt_live_AbCd', scopes: ['read', 'admin'] },
 *   sharing: 'on',
 * }
 * canAdmin() // → true
 * session.value = null
 * canAdmin() // → false
 */
export function canAdmin(): boolean {
  return session.value?.key.scopes.includes('admin') ?? false
}
