import { detectLlmApi } from '../steps/detect-llm-api.ts'
import { installInterception } from '../capture/install-interception.ts'
import { addInteractionObserver, setRequestGate } from '../capture/interaction-observers.ts'
import { resolveRuntimeConfig, type RuntimeConfig, type RuntimeConfigInput } from './config/runtime-config.ts'
import { RetraceEnforcementError } from './enforcement/retrace-enforcement-error.ts'
import { checkRunLimits } from './enforcement/run-limits.ts'
import type { ServerMessage, WireEvent } from '@retrace/protocol'
import type { RuntimeTransport, TransportFactory } from './runtime-transport.ts'
import { checkTransportConfig, createRuntimeTransport } from './default-transport.ts'
import type { ContentPolicy } from './content/event-content.ts'
import { warnOnStderr } from './transport/transport-options.ts'
import { installExitFlush, type ExitFlushTarget, type ExitReason } from './transport/exit-flush.ts'
import type { ActiveTrace } from './trace/active-trace.ts'
import { currentFork } from './resume/fork-scope.ts'
import { resumeRun } from './resume/handle-resume.ts'
import { currentScope } from './trace/trace-scope.ts'
import { ResumeQueue } from './worker/resume-queue.ts'

const RECENT_TRACES = 200
const RECENT_FORKS = 10_000
const HOLD_LIMIT_MS = 30_000

/**
 * The process-wide state of the runtime SDK: the configuration in effect, the transport
 * (created on first use, only with an API key), recently finished traces (for resume
 * commands), and the functions registered as resumable.
 */
class Runtime {
  #config: RuntimeConfig | undefined
  #transport: RuntimeTransport | undefined
  #factory: TransportFactory = createRuntimeTransport
  #uninstallExitFlush: (() => void) | undefined
  /** Undoes what `ensureHooks` installed; undefined while nothing is installed. */
  #removeHooks: (() => void) | undefined
  readonly recentTraces = new Map<string, ActiveTrace>()
  /** Runs not finished yet: ended as `terminatedEarly` if the process exits first. */
  readonly #running = new Set<ActiveTrace>()
  readonly resumables = new Map<string, (...args: unknown[]) => unknown>()
  readonly #messageListeners = new Set<(message: ServerMessage) => void>()
  /** Resume commands being carried out, with the process's concurrency limit (`retrace worker --concurrency`). */
  readonly resumes = new ResumeQueue()
  /** Fork command ids taken, so a command sent twice runs once. */
  readonly #resumed = new Set<string>()

  constructor() {
    this.onServerMessage((message) => {
      if (message.type !== 'resume') return
      // A server that restarted may send a fork again when it cannot know it arrived: once is enough.
      if (this.#resumed.has(message.forkId)) return
      this.#resumed.add(message.forkId)
      if (this.#resumed.size > RECENT_FORKS) this.#resumed.delete(this.#resumed.values().next().value!)
      const warn = (text: string) => process.emitWarning(text, 'RetraceWarning')
      const accepted = this.resumes.submit(() =>
        resumeRun(message, { recentTraces: this.recentTraces, resumables: this.resumes.accepting ? this.resumables : new Map(), warn, flush: () => this.transport()?.flush(5_000) ?? Promise.resolve() }),
      )
      // A draining process leaves the fork to another one (the server sends it again).
      if (!accepted) warn(`Retrace: fork ${message.forkId} not started: this process is shutting down.`)
    })
  }

  /** The functions this process offers to re-run: none while it drains. */
  registeredNames(): string[] {
    return this.resumes.accepting ? [...this.resumables.keys()] : []
  }

  get config(): RuntimeConfig {
    return (this.#config ??= resolveRuntimeConfig())
  }

  /** Where problems the agent must not see go: `configure({ onError })`, else a line on stderr. */
  readonly #defaultOnError = warnOnStderr()

  /** What each new trace may send (`configure({ mask, captureContent, onError })`). */
  contentPolicy(): ContentPolicy {
    const config = this.config
    return { mask: config.mask, captureContent: config.captureContent, onError: config.onError ?? this.#defaultOnError }
  }

  configure(input: RuntimeConfigInput): RuntimeConfig {
    const next = resolveRuntimeConfig(input)
    if (this.#factory === createRuntimeTransport) checkTransportConfig(next)
    const previous = this.#config
    this.#config = next
    // A new key or server means a new connection; the old one flushes what it holds.
    if (this.#transport && (previous?.apiKey !== next.apiKey || previous?.baseUrl !== next.baseUrl || previous?.projectId !== next.projectId || previous?.transport !== next.transport || previous?.onError !== next.onError || !next.enabled)) {
      this.#dropTransport()
    }
    // A process with resumable functions listens for resume commands as soon as it can.
    if (this.resumables.size) this.transport()
    return next
  }

  /** Registers a function the server may ask to re-run, and opens the connection to hear it. */
  registerResumable(name: string, fn: (...args: unknown[]) => unknown): void {
    const known = this.resumables.has(name)
    this.resumables.set(name, fn)
    const transport = this.transport()
    if (!known) transport?.updateRegistration?.()
  }

  /**
   * Swaps how the transport is built (a test double, a benchmark's loopback); `undefined`
   * restores the default WebSocket/HTTP/journal transport.
   *
   * @example
   * runtime().setTransportFactory(() => memoryTransport())
   */
  setTransportFactory(factory: TransportFactory | undefined): void {
    this.#factory = factory ?? createRuntimeTransport
    this.#dropTransport()
  }

  /** The transport if one is open (never opens one). */
  currentTransport(): RuntimeTransport | undefined {
    return this.#transport
  }

  /** Flushes (up to `timeoutMs`) and closes the transport; the next event opens a new one. */
  async closeTransport(timeoutMs: number): Promise<void> {
    await this.#detachTransport()
      ?.close(timeoutMs)
      .catch(() => {})
  }

  /** Lets the old connection deliver what it holds (or journal it) in the background. */
  #dropTransport(): void {
    void this.#detachTransport()
      ?.close()
      .catch(() => {})
  }

  /** Forgets the transport and its exit handling; returns it for the caller to close. */
  #detachTransport(): RuntimeTransport | undefined {
    this.#uninstallExitFlush?.()
    this.#uninstallExitFlush = undefined
    const transport = this.#transport
    this.#transport = undefined
    return transport
  }

  /** The transport, created on first use; undefined without an API key or when disabled. */
  transport(): RuntimeTransport | undefined {
    const config = this.config
    if (!config.enabled || !config.apiKey) return undefined
    if (!this.#transport) {
      try {
        const transport = this.#factory(config, () => this.registeredNames())
        this.#transport = transport
        transport.onMessage((message) => {
          for (const listener of this.#messageListeners) listener(message)
        })
        if (handlesExit(transport)) this.#uninstallExitFlush = installExitFlush(transport, { beforeFlush: (reason) => this.endRunningTraces(reason) })
      } catch {
        // A transport that cannot start must not break the agent: traces are simply not sent.
        return undefined
      }
    }
    return this.#transport
  }

  onServerMessage(listener: (message: ServerMessage) => void): void {
    this.#messageListeners.add(listener)
  }

  emit(event: WireEvent): void {
    this.transport()?.send(event)
  }

  /**
   * Ends every run still going as `terminatedEarly` (the process is exiting), so the server
   * knows they were cut short rather than still running. Idempotent.
   */
  endRunningTraces(reason: ExitReason): void {
    for (const trace of this.#running) {
      trace.finish({ error: new TerminatedEarlyError(reason) }, { terminatedEarly: true, lossy: this.#transport?.isLossy?.(trace.id) ?? false })
    }
    this.#running.clear()
  }

  /** A run started: kept for resume commands, and ended early if the process exits first. */
  started(trace: ActiveTrace): void {
    this.#running.add(trace)
    this.remember(trace)
  }

  /** A run finished on its own. */
  ended(trace: ActiveTrace): void {
    this.#running.delete(trace)
  }

  remember(trace: ActiveTrace): void {
    this.recentTraces.set(trace.id, trace)
    if (this.recentTraces.size > RECENT_TRACES) this.recentTraces.delete(this.recentTraces.keys().next().value!)
  }

  /**
   * Installs, once, what the runtime needs from the capture layer: interception itself, the
   * observer that turns exchanges into spans of the trace that made them, and the gate that
   * enforces run ceilings before every LLM call.
   */
  ensureHooks(): void {
    if (this.#removeHooks) return
    const uninstall = installInterception()
    const removeObserver = addInteractionObserver((interaction) => {
      const scope = currentScope()
      if (!scope) return
      const fork = currentFork()
      // A call before the fork point was served from the parent run: its span says so.
      const wasLlmCall = scope.trace.addInteraction(interaction, scope, { replayed: fork !== undefined && fork.llmCalls < fork.forkPointStep - 1 })
      if (wasLlmCall && fork) fork.llmCalls++
    })
    setRequestGate((request) => {
      const scope = currentScope()
      if (!scope || !detectLlmApi(request.method, request.url)) return undefined
      const config = this.config
      const breach = checkRunLimits(scope.trace.totals, scope.trace.mostRepeatedToolCall(), config)
      if (breach) return new RetraceEnforcementError(breach)
      if (!config.serverEnforcement) return undefined
      const transport = this.transport()
      return transport ? askServer(transport, scope.trace, config) : undefined
    })
    this.#removeHooks = () => {
      setRequestGate(undefined)
      removeObserver()
      uninstall()
    }
  }

  /**
   * Removes the capture hooks the first `record()` installed (a benchmark or test that must
   * leave the process as it found it); the next `record()` installs them again.
   */
  removeHooks(): void {
    this.#removeHooks?.()
    this.#removeHooks = undefined
  }
}

/** Asks the server's policy; local limits already passed. An unreachable server allows. */
async function askServer(transport: RuntimeTransport, trace: ActiveTrace, config: RuntimeConfig): Promise<Error | undefined> {
  const started = Date.now()
  for (;;) {
    const verdict = await transport.checkPolicy({
      traceId: trace.id,
      name: trace.name,
      ...(config.projectId ? { projectId: config.projectId } : {}),
      totals: { ...trace.totals, durationMs: trace.durationMs },
    })
    if (!verdict || verdict.verdict === 'allow') return undefined
    if (verdict.verdict === 'block') return new RetraceEnforcementError({ ceiling: 'server-policy', reason: verdict.reason ?? 'the server policy blocked this call.' })
    // hold: wait as told, then ask again, but never forever.
    const wait = verdict.retryAfterMs ?? 1000
    if (Date.now() - started + wait > HOLD_LIMIT_MS) {
      return new RetraceEnforcementError({ ceiling: 'server-policy', reason: `the server policy held this call for over ${HOLD_LIMIT_MS / 1000} s${verdict.reason ? ` (${verdict.reason})` : ''}.` })
    }
    await new Promise((resolve) => setTimeout(resolve, wait).unref())
  }
}

/** A transport that can journal synchronously (the real one; test doubles cannot): it gets exit handling. */
function handlesExit(transport: RuntimeTransport): transport is RuntimeTransport & ExitFlushTarget {
  return typeof transport.persist === 'function' && transport.stats !== undefined
}

/** The error a run cut short by the process's exit ends with. */
class TerminatedEarlyError extends Error {
  constructor(reason: ExitReason) {
    super(reason === 'SIGTERM' || reason === 'SIGINT' ? `The process received ${reason} before this run finished.` : 'The process exited before this run finished.')
    this.name = 'RetraceTerminatedEarly'
  }
}

const RUNTIME = Symbol.for('retrace.runtime.v1')

/**
 * The runtime of this process (shared through globalThis by every copy of @retrace/core).
 *
 * @example
 * runtime() === runtime() // → true
 * runtime().config.enabled // → true
 */
export function runtime(): Runtime {
  const globals = globalThis as Record<symbol, Runtime | undefined>
  return (globals[RUNTIME] ??= new Runtime())
}
