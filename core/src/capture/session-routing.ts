import { AsyncLocalStorage } from 'node:async_hooks'
import type { RequestResolver } from './glossary.ts'

/**
 * Which cassette answers a request made now. Shared by every copy of @retrace/core in the
 * process (a bundled and a linked one), and across realms: Jest runs each test file in a vm
 * context with its own `globalThis`, while `retrace ci replay` installs Retrace outside it
 * (`--import @retrace/core/setup`), and both patch the same node:http, net and dns. So the
 * state hangs off a built-in every realm shares, the AsyncLocalStorage class.
 */
interface RoutingState {
  /** The cassette of the current async context (`withCassette`, or `startCassette` inside a test). */
  scoped: AsyncLocalStorage<RequestResolver>
  /** Set while Retrace itself makes a live call, so lower layers let it through untouched. */
  bypass: AsyncLocalStorage<boolean>
  /** Started cassettes, newest last: the fallback for requests made outside any scope. */
  started: RequestResolver[]
}

const STATE = Symbol.for('retrace.routing.v1')
const anchor = AsyncLocalStorage as unknown as Record<symbol, unknown>
const state: RoutingState = (anchor[STATE] as RoutingState | undefined) ??
  (anchor[STATE] = {
    scoped: new AsyncLocalStorage<RequestResolver>(),
    bypass: new AsyncLocalStorage<boolean>(),
    started: [],
  })

/**
 * The cassette for a request made in the current async context: the scoped one if any,
 * else the most recently started one still running, else none (the request goes live).
 *
 * @example
 * const session = currentSession()
 */
export function currentSession(): RequestResolver | undefined {
  const scoped = state.scoped.getStore()
  if (scoped && !scoped.stopped) return scoped
  for (let i = state.started.length - 1; i >= 0; i--) {
    const session = state.started[i]!
    if (!session.stopped) return session
  }
  return undefined
}

/** Runs `fn` with `session` as the cassette of everything it does, however deep and async. */
export function runInSession<T>(session: RequestResolver, fn: () => T): T {
  return state.scoped.run(session, fn)
}

/**
 * Makes `session` the cassette of the rest of the current async context (the code after a
 * synchronous `startCassette()` call, and what it awaits), without a callback.
 */
export function enterSession(session: RequestResolver): void {
  state.scoped.enterWith(session)
}

export function addStartedSession(session: RequestResolver): void {
  state.started.push(session)
}

export function removeStartedSession(session: RequestResolver): void {
  const index = state.started.indexOf(session)
  if (index >= 0) state.started.splice(index, 1)
}

/** True while Retrace makes its own live call (lower interception layers must not capture it again). */
export function isBypassed(): boolean {
  return state.bypass.getStore() === true
}

/**
 * Runs `fn` with interception off for everything it starts: Retrace's own live calls, and
 * any traffic a caller wants kept out of cassettes (e.g. a telemetry exporter).
 *
 * @example
 * await withoutInterception(() => fetch('https://telemetry.example.com', { method: 'POST', body }))
 */
export function withoutInterception<T>(fn: () => T): T {
  return state.bypass.run(true, fn)
}

/**
 * Runs `fn` with interception back on, inside code that `withoutInterception` started: a
 * callback of Retrace's own connection (a `resume` command arriving on the socket) that runs
 * the user's agent, whose calls must be captured as usual.
 *
 * @example
 * socket.on('message', (data) => withInterceptionRestored(() => handle(data)))
 */
export function withInterceptionRestored<T>(fn: () => T): T {
  return state.bypass.run(false, fn)
}
