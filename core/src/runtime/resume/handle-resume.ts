import { parseCassette, type Interaction, type JsonValue } from '@retrace/cassettes'
import { runInSession } from '../../capture/session-routing.ts'
import { CassetteSession } from '../../session/cassette-session.ts'
import { detectLlmApi } from '../../steps/detect-llm-api.ts'
import type { ResumeMessage } from '@retrace/protocol'
import type { ActiveTrace } from '../trace/active-trace.ts'
import { runInFork } from './fork-scope.ts'

/** What the resume logic needs from the runtime. */
export interface ResumeContext {
  recentTraces: ReadonlyMap<string, ActiveTrace>
  resumables: ReadonlyMap<string, (...args: unknown[]) => unknown>
  warn(message: string): void
}

/**
 * Carries out a `resume` command: re-runs the registered function with the modified input as a
 * new trace linked to its parent (`forkOf`, `forkPointStep`). LLM calls before the fork point
 * are served from the recorded run, in order (a deterministic prefix that costs nothing);
 * from the fork point on they go live. `tool()` calls in the prefix return their recorded
 * results. Returns the fork's result, or undefined when the command cannot be carried out
 * (reported through `warn`, never thrown: a bad command must not crash the process).
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
  if (!fn) {
    context.warn(`Retrace: cannot resume trace ${message.traceId}: no resumable function${name ? ` named "${name}"` : ''} in this process (record({ resumable: true }) registers one).`)
    return undefined
  }
  let interactions: readonly Interaction[] | undefined = parent?.interactions
  if (!interactions && message.cassette !== undefined) {
    try {
      interactions = parseCassette(JSON.stringify(message.cassette), `resume ${message.forkId}`).interactions
    } catch (error) {
      context.warn(`Retrace: cannot resume trace ${message.traceId}: its cassette is not usable (${(error as Error).message}).`)
      return undefined
    }
  }
  if (!interactions) {
    context.warn(`Retrace: cannot resume trace ${message.traceId}: this process no longer holds it and the command carries no cassette.`)
    return undefined
  }
  const llmCalls = interactions.filter((interaction) => detectLlmApi(interaction.request.method, interaction.request.url))
  const prefix = llmCalls.slice(0, message.forkPointStep - 1)
  const originalArgs = Array.isArray(parent?.options.input) ? (parent.options.input as unknown[]) : []
  const args = Array.isArray(message.modifiedInput) ? (message.modifiedInput as JsonValue[]) : [message.modifiedInput, ...originalArgs.slice(1)]
  const fork = {
    forkId: message.forkId,
    forkOf: message.traceId,
    forkPointStep: message.forkPointStep,
    parentInteractions: interactions,
    parentToolSpans: parent?.spans.filter((span) => span.kind === 'tool') ?? [],
    llmCalls: 0,
    toolCalls: new Map<string, number>(),
  }
  const session = new CassetteSession('', 'observe', {}, undefined, prefix)
  try {
    return await runInFork(fork, () => runInSession(session, () => fn(...args)))
  } catch {
    // The fork's own trace records the failure; the process goes on.
    return undefined
  } finally {
    await session.stop()
  }
}
