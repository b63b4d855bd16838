import { createInterceptedFetch } from './fetch/intercepted-fetch.ts'
import { interceptNodeHttp } from './node-http/intercept-node-http.ts'
import { guardDns, guardSockets } from './raw-sockets/index.ts'
import { currentSession } from './session-routing.ts'
import { INTERCEPTED, interceptDispatcher } from './undici/intercept-dispatcher.ts'
import { findUndiciModules, interceptUndiciModule } from './undici/intercept-undici-module.ts'
import type { DispatcherLike } from './undici/dispatcher-types.ts'

// undici keeps the process-wide dispatcher in these slots: `.1` is read by Node's built-in
// fetch (legacy handlers), `.2` by npm undici ≥ 8 (`undici.request`, `undici.fetch`).
const DISPATCHER_SLOTS = [Symbol.for('undici.globalDispatcher.1'), Symbol.for('undici.globalDispatcher.2')]

interface InstalledInterception {
  users: number
  originalFetch: typeof fetch
  interceptedFetch: typeof fetch
  restoreNodeHttp: () => void
  restoreUndiciModules: Array<() => void>
  dispatchers: Map<symbol, DispatcherLike>
  /** Removes the raw-socket and DNS guards (fail-closed replay for what HTTP capture cannot answer). */
  unguard: Array<() => void>
}

const STATE = Symbol.for('retrace.interception.v1')
const globals = globalThis as unknown as Record<symbol, InstalledInterception | undefined>

/**
 * Installs Retrace's capture layers: global `fetch`, `node:http`/`node:https`, the undici
 * global dispatchers (so `undici.request`/`undici.fetch`, and fetch references an SDK took
 * before this ran, are covered too) and npm undici's dispatcher classes (for dispatchers
 * the user constructs), plus a guard on sockets and DNS that refuses, in replay, every
 * connection HTTP capture cannot answer (raw TCP/TLS, HTTP/2, WebSocket). Idempotent and
 * reference-counted: call the returned function to release; the layers come off when the
 * last user releases. With no cassette active, every request goes through untouched
 * (unless `retrace ci replay` blocks egress).
 *
 * Install it before SDK clients are constructed (a Vitest/Jest setup file, or
 * `import '@retrace/core/setup'`): Stainless SDKs keep the `fetch` they find at construction.
 *
 * @example
 * import { startCassette } from '@retrace/core'
 * const release = installInterception()
 * isInterceptionInstalled() // → true
 * const cassette = startCassette('unused.cassette.json', { mode: 'passthrough' })
 * await (await fetch('data:text/plain,through the cassette')).text() // → 'through the cassette'
 * await cassette.stop()
 * release()
 */
export function installInterception(): () => void {
  let state = globals[STATE]
  if (!state) {
    const originalFetch = globalThis.fetch
    const interceptedFetch = createInterceptedFetch(originalFetch, currentSession)
    globalThis.fetch = interceptedFetch
    const patch = interceptNodeHttp()
    const restoreUndiciModules = findUndiciModules().flatMap((undici) => interceptUndiciModule(undici, currentSession) ?? [])
    state = { users: 0, originalFetch, interceptedFetch, restoreNodeHttp: patch.restore, restoreUndiciModules, dispatchers: new Map(), unguard: [guardDns()] }
    globals[STATE] = state
  }
  state.users++
  ensureDispatchersIntercepted()
  let released = false
  return () => {
    if (released) return
    released = true
    releaseInterception()
  }
}

function releaseInterception(): void {
  const state = globals[STATE]
  if (!state || --state.users > 0) return
  // Someone (msw, nock) may have wrapped fetch after us: then our wrapper stays in their
  // chain, where it passes everything through, rather than cutting theirs out.
  if (globalThis.fetch === state.interceptedFetch) globalThis.fetch = state.originalFetch
  state.restoreNodeHttp()
  for (const restore of state.restoreUndiciModules) restore()
  for (const unguard of state.unguard) unguard()
  const slots = globalThis as unknown as Record<symbol, DispatcherLike | undefined>
  for (const [slot, original] of state.dispatchers) {
    if (slots[slot] && (slots[slot] as unknown as Record<symbol, unknown>)[INTERCEPTED] === original) slots[slot] = original
  }
  globals[STATE] = undefined
}

/**
 * Wraps the undici global dispatchers again if something replaced them since (loading npm
 * undici, or a test calling `setGlobalDispatcher`), and guards sockets again if a mocking
 * library put back the connect it found before ours. Cheap; runs whenever a cassette starts.
 *
 * @example
 * import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici'
 * const release = installInterception()
 * const previous = getGlobalDispatcher()
 * setGlobalDispatcher(new Agent()) // a test replaced the global dispatcher
 * ensureDispatchersIntercepted() // covered again
 * setGlobalDispatcher(previous)
 * release()
 */
export function ensureDispatchersIntercepted(): void {
  const state = globals[STATE]
  if (!state) return
  const unguard = guardSockets()
  if (unguard) state.unguard.push(unguard)
  const slots = globalThis as unknown as Record<symbol, DispatcherLike | undefined>
  for (const slot of DISPATCHER_SLOTS) {
    const current = slots[slot]
    if (!current || (current as unknown as Record<symbol, unknown>)[INTERCEPTED]) continue
    state.dispatchers.set(slot, current)
    slots[slot] = interceptDispatcher(current, currentSession)
  }
}

/**
 * The `fetch` that was global before Retrace installed itself (for live calls that must
 * never be captured), or the current global one when not installed.
 *
 * @example
 * const before = globalThis.fetch
 * const release = installInterception()
 * originalFetch() === before // → true
 * release()
 */
export function originalFetch(): typeof fetch {
  return globals[STATE]?.originalFetch ?? globalThis.fetch
}

/**
 * True while the capture layers are installed.
 *
 * @example
 * const release = installInterception()
 * isInterceptionInstalled() // → true
 * release()
 */
export function isInterceptionInstalled(): boolean {
  return globals[STATE] !== undefined
}
