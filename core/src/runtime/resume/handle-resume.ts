import { CassetteSchema, type Interaction, type JsonValue } from '@retrace/cassettes'
import { runInSession } from '../../capture/session-routing.ts'
import { CassetteSession } from '../../session/cassette-session.ts'
import { detectLlmApi } from '../../steps/detect-llm-api.ts'
import type { ResumeMessage } from '@retrace/protocol'
import { record } from '../record.ts'
import type { ActiveTrace } from '../trace/active-trace.ts'
import { runInFork, type ForkScope, type RecordedToolCall } from './fork-scope.ts'

/** What the resume logic needs from the runtime. */
export interface ResumeContext {
  recentTraces: ReadonlyMap<string, ActiveTrace>
  resumables: ReadonlyMap<string, (...args: unknown[]) => unknown>
  warn(message: string): void
  /** Sends what the fork recorded now (its end is how the server learns it finished). */
  flush?(): Promise<unknown>
}

/**
 * Carries out a `resume` command: re-runs the registered function with the modified input as a
 * new trace linked to its parent (`forkOf`, `forkPointStep`, `forkId`). LLM calls before the
 * fork point are served from the recorded run, in order (a deterministic prefix that costs
 * nothing); from the fork point on they go live. `tool()` calls in the prefix return their
 * recorded results. The recorded run comes from this process's memory when it still holds
 * it, else from the command (`cassette`, `originalArgs`, `recordedTools`). A command that
 * cannot be carried out (no such function, an unusable cassette) is warned about and reported
 * as a failed fork trace, never thrown: a bad command must not crash the process. Returns the
 * fork's result, or undefined.
 *
 * @example
 * const warnings: string[] = []
 * const context = { recentTraces: new Map(), resumables: new Map(), warn: (message: string) => void warnings.push(message) }
 * await resumeRun({ type: 'resume', forkId: 'f1', traceId: 't1', name: 'support', forkPointStep: 2, modifiedInput: ['Paris'] }, context) // → undefined
 * warnings // → ['Retrace: cannot resume trace t1: no resumable function named "support" in this process (record({ resumable: true }) registers one).']
 */
export async function resumeRun(message: ResumeMessage, context: ResumeContext): Promise<unknown> {
  const parent = context.recentTraces.get(message.traceId)
  const name = message.name ?? parent?.name
  const fn = name ? context.resumables.get(name) : undefined
  const originalArgs = Array.isArray(parent?.options.input) ? (parent.options.input as unknown[]) : (message.originalArgs ?? [])
  // PROTOCOL.md §8: an array is the whole argument list, anything else the first argument.
  const args = Array.isArray(message.modifiedInput) ? (message.modifiedInput as JsonValue[]) : [message.modifiedInput, ...originalArgs.slice(1)]
  const fork: ForkScope = {
    forkId: message.forkId,
    forkOf: message.traceId,
    forkPointStep: message.forkPointStep,
    forkPointToolCall: message.forkPointToolCall,
    parentInteractions: [],
    parentToolCalls: parent ? toolCallsOf(parent) : (message.recordedTools ?? []),
    llmCalls: 0,
    toolCalls: new Map(),
    toolCallsMade: 0,
  }
  const refuse = async (problem: string) => {
    context.warn(`Retrace: cannot resume trace ${message.traceId}: ${problem}`)
    // The fork's own trace says so, so the server does not wait for it.
    await runInFork(fork, () =>
      Promise.resolve(
        // Async, so the refusal rejects (and is caught below) instead of throwing out of here.
        record({ name: name ?? 'unknown' }, async (..._args: unknown[]) => {
          throw Object.assign(new Error(problem), { name: 'RetraceResumeError' })
        })(...args),
      ).catch(() => undefined),
    )
    await context.flush?.()
    return undefined
  }
  if (!fn) return refuse(`no resumable function${name ? ` named "${name}"` : ''} in this process (record({ resumable: true }) registers one).`)
  let interactions: readonly Interaction[] | undefined = parent?.interactions
  if (!interactions && message.cassette !== undefined) {
    // The frame is parsed JSON already: the schema is the check (no second parse of the text).
    const parsed = CassetteSchema.safeParse(message.cassette)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return refuse(`its cassette is not usable (${issue ? `${['$', ...issue.path].join('.')}: ${issue.message}` : 'not a cassette'}).`)
    }
    interactions = parsed.data.interactions
  }
  if (!interactions && message.forkPointStep > 1) return refuse('this process no longer holds it and the command carries no cassette.')
  fork.parentInteractions = interactions ?? []
  const llmCalls = fork.parentInteractions.filter((interaction) => detectLlmApi(interaction.request.method, interaction.request.url))
  const prefix = llmCalls.slice(0, message.forkPointStep - 1)
  const session = new CassetteSession('', 'observe', {}, undefined, prefix)
  try {
    return await runInFork(fork, () => runInSession(session, () => fn(...args)))
  } catch {
    // The fork's own trace records the failure; the process goes on.
    return undefined
  } finally {
    await session.stop()
    await context.flush?.()
  }
}

/** The `tool()` calls of a run held in memory, in the order they started. */
function toolCallsOf(trace: ActiveTrace): RecordedToolCall[] {
  return trace.spans
    .filter((span) => span.kind === 'tool' && span.forkPoint?.toolCall !== undefined)
    .sort((a, b) => a.forkPoint!.toolCall! - b.forkPoint!.toolCall!)
    .map((span) => ({ name: span.name, input: span.input, output: span.output }))
}
