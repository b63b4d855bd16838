import { createRequire } from 'node:module'
import { join } from 'node:path'
import { dispatchThroughCassette } from './intercept-dispatcher.ts'
import type { DispatchHandler, DispatchOptions } from './dispatcher-types.ts'
import type { RequestResolver } from '../glossary.ts'

type DispatchMethod = (this: unknown, options: DispatchOptions, handler: DispatchHandler) => boolean

const PATCHED = Symbol.for('retrace.undiciPrototypePatch')

/**
 * Patches an npm undici module so dispatchers the user constructs (`new Client(origin)`,
 * `new Pool(…)`, `{ dispatcher: new Agent() }`) are covered too, not only the global one.
 * All of them inherit `dispatch` from one base class; internal re-dispatches (Agent → Pool
 * → Client) run inside Retrace's own bypass, so each request is handled once.
 * Returns a function that removes the patch; `undefined` if the module is not undici-shaped.
 *
 * @example
 * const unpatch = interceptUndiciModule(await import('undici'), currentSession)
 */
export function interceptUndiciModule(undici: unknown, pickSession: () => RequestResolver | undefined): (() => void) | undefined {
  const client = (undici as { Client?: { prototype?: object } } | undefined)?.Client
  const base = client?.prototype ? (Object.getPrototypeOf(client.prototype) as Record<PropertyKey, unknown> | null) : null
  if (!base || typeof base.dispatch !== 'function' || base[PATCHED]) return undefined
  const original = base.dispatch as DispatchMethod
  const patched: DispatchMethod = function (this: unknown, options, handler) {
    // A Client or Pool knows its origin; the options dispatched to it carry only the path.
    const withOrigin = options.origin === undefined ? { ...options, origin: originOf(this) } : options
    return dispatchThroughCassette((o, h) => original.call(this, o, h), withOrigin, handler, pickSession)
  }
  base.dispatch = patched
  base[PATCHED] = true
  return () => {
    if (base.dispatch === patched) base.dispatch = original
    delete base[PATCHED]
  }
}

/** The origin a Client/Pool was built for, kept by undici under a symbol described `url`. */
function originOf(dispatcher: unknown): string | undefined {
  if (typeof dispatcher !== 'object' || dispatcher === null) return undefined
  for (const symbol of Object.getOwnPropertySymbols(dispatcher)) {
    const value = (dispatcher as Record<symbol, unknown>)[symbol]
    if (symbol.description === 'url' && value instanceof URL) return value.origin
  }
  return undefined
}

/**
 * The npm undici modules this process would load: the one the project resolves (from the
 * working directory) and the one next to @retrace/core, when they exist.
 *
 * @example
 * for (const undici of findUndiciModules()) interceptUndiciModule(undici, currentSession)
 */
export function findUndiciModules(): unknown[] {
  const found = new Set<unknown>()
  for (const from of [join(process.cwd(), 'index.js')]) {
    try {
      found.add(createRequire(from)('undici'))
    } catch {
      // not installed there: nothing to patch
    }
  }
  return [...found]
}
