import { toJsonValue } from '@retrace/cassettes'
import { currentFork, recordedToolResult } from './resume/fork-scope.ts'
import { currentScope, runInScope, type TraceScope } from './trace/trace-scope.ts'
import type { OpenSpan } from './trace/active-trace.ts'

/**
 * Runs `fn` inside a span of the current trace (a child of the span it is called from) and
 * returns its result; a thrown error marks the span as an error span and is re-thrown.
 * Outside `record()` it just runs `fn`.
 *
 * @example
 * import { record } from '@retrace/core'
 * const runAgent = record({ name: 'planner' }, async (question: string) => {
 *   const plan = await span('plan', async () => ['search', 'answer'])
 *   return `${question}: ${plan.join(' → ')}`
 * })
 * await runAgent('Trip') // → 'Trip: search → answer'
 * runAgent.lastTrace?.spans.map((item) => [item.kind, item.name]) // → [['span', 'plan']]
 */
export function span<T>(name: string, fn: () => T): T {
  const scope = currentScope()
  if (!scope) return fn()
  return withinSpan(scope, scope.trace.startSpan('span', name, scope), fn)
}

/**
 * Wraps a tool so each call is a `tool` span (arguments in, result out) of the current
 * trace. In a fork, a call that belongs to the replayed prefix returns the recorded result
 * instead of running again, so its side effects (an email, a payment) are not repeated.
 *
 * @example
 * import { record } from '@retrace/core'
 * const getWeather = tool('get_weather', async ({ city }: { city: string }) => ({ city, sky: 'sunny' }))
 * const runAgent = record({ name: 'weather' }, (city: string) => getWeather({ city }))
 * await runAgent('Paris') // → { city: 'Paris', sky: 'sunny' }
 * runAgent.lastTrace?.spans[0] // → { ...runAgent.lastTrace!.spans[0]!, kind: 'tool', name: 'get_weather', input: { city: 'Paris' }, output: { city: 'Paris', sky: 'sunny' } }
 */
export function tool<Args extends unknown[], Result>(name: string, fn: (...args: Args) => Result): (...args: Args) => Result {
  return function (this: unknown, ...args: Args): Result {
    const scope = currentScope()
    if (!scope) return fn.apply(this, args)
    const input = toJsonValue(args.length === 1 ? args[0] : args)
    const fork = currentFork()
    const recorded = fork ? recordedToolResult(fork, name, input) : undefined
    const toolCallId = scope.trace.claimToolCall(name, input)
    const open = scope.trace.startSpan('tool', name, scope, input, {
      ...(toolCallId ? { toolCallId } : {}),
      ...(recorded ? { metadata: { replayed: true } } : {}),
    })
    if (recorded) {
      open.end({ output: recorded.output })
      return (isAsync(fn) ? Promise.resolve(recorded.output) : recorded.output) as Result
    }
    return withinSpan(scope, open, () => fn.apply(this, args))
  }
}

/**
 * Runs `fn` as agent `id`: every span inside is tagged with the agent's id, role and the
 * agent that called it (multi-agent topologies), under an `agent` span of its own.
 *
 * @example
 * import { record } from '@retrace/core'
 * const research = async (topic: string) => `notes on ${topic}`
 * const runTeam = record({ name: 'team' }, (topic: string) => agent('researcher', { role: 'research' }, () => research(topic)))
 * await runTeam('tides') // → 'notes on tides'
 * runTeam.lastTrace?.spans[0]?.agent // → { id: 'researcher', role: 'research' }
 */
export function agent<T>(id: string, options: { role?: string }, fn: () => T): T {
  const scope = currentScope()
  if (!scope) return fn()
  const tagged = { id, ...(options.role ? { role: options.role } : {}), ...(scope.agent ? { parentId: scope.agent.id } : {}) }
  const open = scope.trace.startSpan('agent', id, { spanId: scope.spanId, agent: tagged })
  return withinSpan({ ...scope, agent: tagged }, open, fn)
}

function withinSpan<T>(scope: TraceScope, open: OpenSpan, fn: () => T): T {
  let result: T
  try {
    result = runInScope({ ...scope, spanId: open.id }, fn)
  } catch (error) {
    open.end({ error })
    throw error
  }
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    return (result as unknown as PromiseLike<unknown>).then(
      (value) => {
        open.end({ output: value })
        return value
      },
      (error: unknown) => {
        open.end({ error })
        throw error
      },
    ) as T
  }
  open.end({ output: result })
  return result
}

function isAsync(fn: unknown): boolean {
  return typeof fn === 'function' && fn.constructor.name === 'AsyncFunction'
}
