import { stepToolCalls } from '@retrace/core'
import { canonicalJson, RetraceConfigError, RetraceError, type JsonValue, type StoredStep, type Step } from '@retrace/cassettes'
import type { MatcherOutcome, RunnerContext } from '../runner-context.ts'
import { readReceivedRun } from '../runs/received-run.ts'
import { runUnderCassette } from '../runs/run-under-cassette.ts'
import { recordOutcome, settleAttempt } from '../runs/settle-attempt.ts'
import { resolveMatchOptions } from './matcher-options.ts'

/** How an expected tool-call sequence is compared with the run's (agentevals' four modes). */
export type TrajectoryMode = 'strict' | 'unordered' | 'subset' | 'superset'

/** One expected tool call: its name, and optionally arguments the call must contain. */
export type ExpectedToolCall = string | { name: string; arguments?: JsonValue }

/** A call as the run made it. */
interface ToolCall {
  name: string
  arguments: JsonValue
}

/**
 * `expect(run).toMatchTrajectory(expected, { mode })` on the run's tool calls, in step order:
 * - `strict` (default): the same calls in the same order;
 * - `unordered`: the same calls, any order;
 * - `subset`: the run called nothing beyond the expected calls;
 * - `superset`: the run called at least the expected calls.
 * An expected call with `arguments` matches a call whose arguments contain them (deep, partial).
 * `run` is a function or promise (run under the test's cassette, like `toMatchCassette`), or a
 * finished run: an array of steps, a cassette handle, `{ steps }`.
 *
 * @example
 * import type { StoredStep } from '@retrace/cassettes'
 * const call = (name: string, args = {}): StoredStep => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [{ type: 'tool_call', name, arguments: args }] })
 * const run = [call('search_flights', { to: 'Paris' }), call('book_flight')]
 * const context = { runner: 'vitest' as const, testPath: '/repo/agent.test.ts', testName: 'books', isNot: false, update: false }
 * const outcome = await matchTrajectory(context, run, [{ name: 'search_flights', arguments: { to: 'Paris' } }, 'book_flight'], { mode: 'strict' })
 * outcome.pass // → true
 * const reversed = await matchTrajectory(context, run, ['book_flight', 'search_flights'], { mode: 'strict' })
 * reversed.message().split('\n')[0] // → `The run's tool calls do not match the expected trajectory (strict): call 1 is search_flights with {"to":"Paris"}, expected book_flight`
 */
export async function matchTrajectory(context: RunnerContext, received: unknown, expected: unknown, rawOptions: unknown): Promise<MatcherOutcome> {
  const expectedCalls = readExpected(expected)
  const options = (rawOptions ?? {}) as { mode?: unknown; name?: string }
  const mode = options.mode ?? 'strict'
  if (mode !== 'strict' && mode !== 'unordered' && mode !== 'subset' && mode !== 'superset') {
    throw new RetraceConfigError('toMatchTrajectory mode', `"${String(mode)}" is not a mode.`, "Use 'strict', 'unordered', 'subset' or 'superset'.")
  }
  const steps = await stepsOfRun(context, received, options.name, 'toMatchTrajectory')
  if (!Array.isArray(steps)) return steps
  const calls: ToolCall[] = steps.flatMap((step) => stepToolCalls(step).map((call) => ({ name: call.name, arguments: call.arguments })))
  const problem = compareCalls(expectedCalls, calls, mode)
  const describe = (list: ReadonlyArray<ExpectedToolCall | ToolCall>) => `[${list.map((call) => (typeof call === 'string' ? call : call.name)).join(', ')}]`
  return {
    pass: problem === undefined,
    message: () =>
      problem === undefined
        ? `The run's tool calls ${describe(calls)} match ${describe(expectedCalls)} (${mode}).`
        : `The run's tool calls do not match the expected trajectory (${mode}): ${problem}\n\n  expected: ${describe(expectedCalls)}\n  received: ${describe(calls)}`,
    expected: expectedCalls.map((call) => (typeof call === 'string' ? call : call.name)),
    actual: calls.map((call) => call.name),
  }
}

function readExpected(expected: unknown): ExpectedToolCall[] {
  const valid = Array.isArray(expected) && expected.every((item) => typeof item === 'string' || (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string'))
  if (!valid) {
    throw new RetraceConfigError('toMatchTrajectory expected', 'expected an array of tool names or { name, arguments? } objects.', "Example: toMatchTrajectory(['search_flights', { name: 'book_flight', arguments: { city: 'Paris' } }])")
  }
  return expected as ExpectedToolCall[]
}

function compareCalls(expected: readonly ExpectedToolCall[], calls: readonly ToolCall[], mode: TrajectoryMode): string | undefined {
  const matches = (want: ExpectedToolCall, call: ToolCall) =>
    typeof want === 'string' ? want === call.name : want.name === call.name && (want.arguments === undefined || containsJson(call.arguments, want.arguments))
  if (mode === 'strict') {
    for (let i = 0; i < Math.max(expected.length, calls.length); i++) {
      const want = expected[i]
      const call = calls[i]
      if (!want) return `call ${i + 1} (${call!.name}) was not expected`
      if (!call) return `call ${i + 1} (${typeof want === 'string' ? want : want.name}) was never made`
      if (!matches(want, call)) return `call ${i + 1} is ${call.name}${describeArguments(call)}, expected ${typeof want === 'string' ? want : `${want.name}${want.arguments ? ` with ${canonicalJson(want.arguments)}` : ''}`}`
    }
    return undefined
  }
  // Multiset matching: each expected call consumes one matching call of the run.
  const remaining = [...calls]
  const unmatched: ExpectedToolCall[] = []
  for (const want of expected) {
    const index = remaining.findIndex((call) => matches(want, call))
    if (index < 0) unmatched.push(want)
    else remaining.splice(index, 1)
  }
  const name = (call: ExpectedToolCall | ToolCall) => (typeof call === 'string' ? call : call.name)
  if (mode === 'superset') return unmatched.length ? `never called ${unmatched.map(name).join(', ')}` : undefined
  if (mode === 'subset') return remaining.length ? `called ${remaining.map(name).join(', ')}, which the trajectory does not allow` : undefined
  if (unmatched.length || remaining.length) {
    return [unmatched.length ? `never called ${unmatched.map(name).join(', ')}` : '', remaining.length ? `also called ${remaining.map(name).join(', ')}` : ''].filter(Boolean).join('; ')
  }
  return undefined
}

function describeArguments(call: ToolCall): string {
  const text = canonicalJson(call.arguments)
  return text && text !== '{}' ? ` with ${text.length > 120 ? `${text.slice(0, 120)}…` : text}` : ''
}

function containsJson(actual: JsonValue, wanted: JsonValue): boolean {
  if (wanted === null || typeof wanted !== 'object') return canonicalJson(actual) === canonicalJson(wanted)
  if (Array.isArray(wanted)) return Array.isArray(actual) && wanted.length === actual.length && wanted.every((item, i) => containsJson(actual[i]!, item))
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
  return Object.entries(wanted).every(([key, value]) => key in actual && containsJson(actual[key]!, value))
}

/**
 * The steps of whatever `expect()` received: a finished run as is, or a function / promise
 * run under the test's cassette. Returns a failed outcome when the run could not be made.
 *
 * @example
 * import type { StoredStep } from '@retrace/cassettes'
 * const context = { runner: 'vitest' as const, testPath: '/repo/agent.test.ts', testName: 'books', isNot: false, update: false }
 * const finished: StoredStep[] = [{ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [] }]
 * const steps = await stepsOfRun(context, { steps: finished }, undefined, 'toStayWithinBudget')
 * steps // → finished
 */
export async function stepsOfRun(context: RunnerContext, received: unknown, name: string | undefined, matcher: string): Promise<Array<Step | StoredStep> | MatcherOutcome> {
  if (context.isNot) throw new RetraceError('RETRACE_MATCHER_USAGE', `${matcher} cannot be negated with .not.`)
  const run = readReceivedRun(received, true)
  if (!run) throw new RetraceError('RETRACE_MATCHER_USAGE', `${matcher} expects a function or promise running the agent, or a finished run (an array of steps, a cassette handle, { steps }).`)
  if (run.kind === 'steps') return run.steps
  const options = resolveMatchOptions(name ? [name] : [], matcher)
  const settled = settleAttempt(context, await runUnderCassette(run, context, { ...(options.name ? { name: options.name } : {}), ...(options.cassette ? { cassette: options.cassette } : {}) }))
  if (settled.kind === 'failed') return settled.outcome
  // The trajectory and budget checks are the test's own: a replayed run counts as identical.
  recordOutcome(context, settled.run.file, settled.run.mode === 'record' ? 'recorded' : 'identical', { used: settled.run.used })
  return settled.run.steps
}
