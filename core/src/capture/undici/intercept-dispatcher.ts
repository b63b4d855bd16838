import { egressRefusal } from '../egress-policy.ts'
import { admitRequest } from '../interaction-observers.ts'
import { closingDispatch } from '../live-connection.ts'
import { isBypassed, withoutInterception } from '../session-routing.ts'
import type { RequestResolver } from '../glossary.ts'
import { readDispatch } from './dispatch-request.ts'
import type { DispatcherLike, DispatchHandler, DispatchOptions } from './dispatcher-types.ts'
import { recordingHandler } from './recording-handler.ts'
import { failHandler, replayToHandler } from './replay-to-handler.ts'

/** Marks dispatchers made by {@link interceptDispatcher}, so one is never wrapped twice. */
export const INTERCEPTED = Symbol.for('retrace.interceptedDispatcher')

/**
 * Wraps an undici dispatcher so requests dispatched while a cassette is active are
 * replayed, recorded or refused. Everything else about the dispatcher (close, destroy,
 * events, options) is the original's.
 *
 * @example
 * globalThis[Symbol.for('undici.globalDispatcher.2')] = interceptDispatcher(agent, currentSession)
 */
export function interceptDispatcher<T extends DispatcherLike>(inner: T, pickSession: () => RequestResolver | undefined): T {
  const original = (options: DispatchOptions, handler: DispatchHandler) => inner.dispatch(options, handler)
  const dispatch = (options: DispatchOptions, handler: DispatchHandler) => dispatchThroughCassette(original, options, handler, pickSession)
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'dispatch') return dispatch
      if (key === INTERCEPTED) return inner
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/**
 * One dispatch under the current cassette: replayed, recorded on its way to `original`, or
 * refused. Shared by the global-dispatcher wrapper and the patched undici prototypes.
 *
 * @example
 * dispatchThroughCassette((o, h) => agent.dispatch(o, h), options, handler, currentSession)
 */
export function dispatchThroughCassette(
  original: (options: DispatchOptions, handler: DispatchHandler) => boolean,
  options: DispatchOptions,
  handler: DispatchHandler,
  pickSession: () => RequestResolver | undefined,
): boolean {
  if (isBypassed()) return original(options, handler)
  const session = pickSession()
  if (!session && !options.upgrade && options.origin !== undefined) {
    const refusal = egressRefusal(options.method, new URL(options.path, options.origin).href)
    if (refusal) {
      failHandler(handler, refusal)
      return true
    }
  }
  // Upgrades (WebSocket, CONNECT tunnels) are not request/response exchanges: never captured.
  if (!session || options.upgrade || options.method === 'CONNECT') return original(options, handler)
  if (session.mode === 'passthrough') return original(closingDispatch(options), handler)
  void handleDispatch(original, session, options, handler).catch((error: unknown) => failHandler(handler, error instanceof Error ? error : new Error(String(error))))
  return true
}

async function handleDispatch(
  original: (options: DispatchOptions, handler: DispatchHandler) => boolean,
  session: RequestResolver,
  options: DispatchOptions,
  handler: DispatchHandler,
): Promise<void> {
  const { request, options: live } = await readDispatch(options)
  const refusal = await admitRequest(request)
  if (refusal) return failHandler(handler, refusal)
  const resolution = session.resolve(request)
  if (resolution.kind === 'replay') return replayToHandler(handler, resolution.source, session.pacing)
  if (resolution.kind === 'blocked') return failHandler(handler, resolution.error)
  const target = resolution.slot ? recordingHandler(handler, resolution.slot) : handler
  withoutInterception(() => original(session.closesLiveConnections ? closingDispatch(live) : live, target))
}
