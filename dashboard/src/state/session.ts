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
 * await loadSession()
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
 * await signIn('rt_live_…')
 */
export async function signIn(key: string): Promise<void> {
  session.value = await api<DashboardSession>(SESSION_PATH, { method: 'POST', body: { key: key.trim() }, quiet401: true })
  startLiveUpdates()
}

/**
 * Signs out: the server clears the cookie.
 *
 * @example
 * await signOut()
 * session.value // → null
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
 * session.value = null
 * canAdmin() // → false
 */
export function canAdmin(): boolean {
  return session.value?.key.scopes.includes('admin') ?? false
}
