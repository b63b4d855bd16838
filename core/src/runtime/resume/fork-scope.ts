import { AsyncLocalStorage } from 'node:async_hooks'
import { canonicalJson, type Interaction, type JsonValue } from '@retrace/cassettes'

/** A `tool()` call of the recorded run, as the prefix of a fork replays it. */
export interface RecordedToolCall {
  name: string
  input?: JsonValue | undefined
  output?: JsonValue | undefined
}

/**
 * A function re-running as a fork: the recorded run it comes from, and the 1-based step from
 * which calls go live. LLM calls before it are served from `parentInteractions`, in order;
 * `tool()` calls before it return the recorded results instead of running again, unless the
 * fork starts at a tool (`forkPointToolCall`: that call and later ones run live).
 */
export interface ForkScope {
  forkId: string
  forkOf: string
  forkPointStep: number
  forkPointToolCall?: number | undefined
  parentInteractions: readonly Interaction[]
  /** The recorded run's `tool()` calls, in the order they started. */
  parentToolCalls: readonly RecordedToolCall[]
  /** How many LLM calls and tool calls (per name, and in all) the fork made so far. */
  llmCalls: number
  toolCalls: Map<string, number>
  toolCallsMade: number
}

const storage = new AsyncLocalStorage<ForkScope>()

/**
 * The fork the calling code runs in, if any.
 *
 * @example
 * currentFork() // → undefined
 */
export function currentFork(): ForkScope | undefined {
  return storage.getStore()
}

/**
 * Runs `fn` as (part of) a fork.
 *
 * @example
 * const fork = { forkId: 'f1', forkOf: 't1', forkPointStep: 2, parentInteractions: [], parentToolSpans: [], llmCalls: 0, toolCalls: new Map() }
 * await runInFork(fork, async () => currentFork()?.forkId) // → 'f1'
 */
export function runInFork<T>(fork: ForkScope, fn: () => T): T {
  return storage.run(fork, fn)
}

/**
 * The recorded output of the fork's next call to tool `name`, when that call comes before the
 * fork point; `undefined` means the tool must really run.
 *
 * @example
 * // A fork from step 2 of a run whose first step asked for send_email({ to: 'ada' }).
 * const fork = {
 *   forkId: 'f1', forkOf: 't1', forkPointStep: 2, parentInteractions: [], llmCalls: 1, toolCalls: new Map(), toolCallsMade: 0,
 *   parentToolCalls: [{ name: 'send_email', input: { to: 'ada' }, output: { sent: true } }],
 * }
 * recordedToolResult(fork, 'send_email', { to: 'ada' }) // → { output: { sent: true } }
 * recordedToolResult(fork, 'send_email', { to: 'ada' }) // → undefined
 */
export function recordedToolResult(fork: ForkScope, name: string, input: JsonValue): { output: JsonValue | undefined } | undefined {
  const occurrence = fork.toolCalls.get(name) ?? 0
  fork.toolCalls.set(name, occurrence + 1)
  const ordinal = ++fork.toolCallsMade
  // A fork at a tool (or at an agent) runs that call and every later one live.
  if (fork.forkPointToolCall !== undefined && ordinal >= fork.forkPointToolCall) return undefined
  // A tool call is in the prefix when the step that asked for it was replayed (the fork has
  // made at most forkPointStep - 1 LLM calls), and only with the recorded arguments: if the
  // new input changed them, the tool really runs.
  if (fork.llmCalls > fork.forkPointStep - 1) return undefined
  const recorded = fork.parentToolCalls.filter((call) => call.name === name)[occurrence]
  if (!recorded || canonicalJson(recorded.input ?? null) !== canonicalJson(input)) return undefined
  return { output: recorded.output }
}
