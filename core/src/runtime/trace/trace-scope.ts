import { AsyncLocalStorage } from 'node:async_hooks'
import type { SpanAgent } from '@retrace/protocol'
import type { ActiveTrace } from './active-trace.ts'

/** Where code runs, in a recorded run: its trace, the span it is inside, the agent it acts for. */
export interface TraceScope {
  trace: ActiveTrace
  /** The innermost open span: the parent of spans started here. */
  spanId: string | undefined
  agent: SpanAgent | undefined
}

const STORAGE = Symbol.for('retrace.traceScope.v1')
const storage: AsyncLocalStorage<TraceScope> =
  ((globalThis as Record<symbol, unknown>)[STORAGE] as AsyncLocalStorage<TraceScope> | undefined) ??
  ((globalThis as Record<symbol, unknown>)[STORAGE] = new AsyncLocalStorage<TraceScope>())

/**
 * The scope of the code running now, if it runs inside `record()`. Concurrent runs each see
 * their own.
 *
 * @example
 * import { record } from '../record.ts'
 * const runAgent = record({ name: 'scoped' }, () => currentScope()?.trace.name)
 * runAgent() // → 'scoped'
 * currentScope() // → undefined
 */
export function currentScope(): TraceScope | undefined {
  return storage.getStore()
}

/**
 * Runs `fn` in `scope`, and everything it starts, however deep and async.
 *
 * @example
 * import { ActiveTrace } from './active-trace.ts'
 * const trace = new ActiveTrace({ name: 'weather', input: undefined, sampled: false, maxPayloadChars: 1_000 }, () => {})
 * await runInScope({ trace, spanId: undefined, agent: undefined }, async () => currentScope()?.trace.name) // → 'weather'
 */
export function runInScope<T>(scope: TraceScope, fn: () => T): T {
  return storage.run(scope, fn)
}
