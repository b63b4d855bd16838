import type { Cassette } from '@retrace/cassettes'
import type { ResumeMessage } from '@retrace/protocol'
import type { ConnectionRegistry } from '../../ingest/connection-registry.ts'
import type { Logger } from '../../logging/logger.ts'
import type { FeedMessage } from '../../store/change-feed.ts'
import type { ConnectionRecord, Store } from '../../store/store.ts'
import { assembleCassette, recordedToolCalls } from '../cassette/trace-cassette.ts'
import type { ForkRecord } from '../../store/fork-records.ts'
import type { ClaimedFork, ForkTimeouts, LocalWorker } from '../../store/fork-store.ts'

/** How the scheduler is set up. */
export interface ForkSchedulerOptions {
  /** How long a queued fork waits for a process that registered its function before it ends as `no_worker`. */
  workerTimeoutMs: number
  /** How long a running fork may take before it fails. */
  runTimeoutMs: number
  /** How long a fork's worker may be gone (a restart, a reconnect) before the fork is sent again. */
  lostWorkerGraceMs?: number
  /** Claims are retried this often while forks are open (4× slower when idle); the maintenance pass runs every 4 of them. */
  pollMs?: number
}

/** What the scheduler uses of the server. */
export interface ForkSchedulerServices {
  store: Store
  connections: ConnectionRegistry
  log: Logger
  serverId: string
}

/** Connections of servers whose heartbeat is older are taken as gone (three missed heartbeats). */
const ALIVE_WITHIN_MS = 45_000
/** A recorded run is read once for the variants of a sweep (an ended run does not change). */
const RECORDING_CACHE_MS = 120_000

/**
 * How many distinct processes (instances; a reconnected one counts once) offer each
 * function, by project: `projectId \u0000 name` → count.
 *
 * @example
 * // In the scheduler: workersOffering(await store.forks.liveConnections(45_000))
 * const connection = (id: string, instanceId: string) => ({ id, serverId: 'srv_1', projectId: 'p1', keyId: 'key_1', instanceId, sdk: null, runtime: null, resumable: ['support-agent'], connectedAt: '2026-03-01T10:00:00.000Z', registeredAt: null })
 * // Two connections of one process (a reconnect) count once:
 * workersOffering([connection('c1', 'i1'), connection('c2', 'i1'), connection('c3', 'i2')]).get('p1\u0000support-agent') // → 2
 */
export function workersOffering(connections: readonly ConnectionRecord[]): Map<string, number> {
  const instances = new Map<string, Set<string>>()
  for (const connection of connections) {
    for (const name of connection.resumable) {
      const key = `${connection.projectId}\u0000${name}`
      let set = instances.get(key)
      if (!set) instances.set(key, (set = new Set()))
      set.add(connection.instanceId ?? connection.id)
    }
  }
  return new Map([...instances].map(([key, set]) => [key, set.size]))
}

/**
 * The message a fork gets when no process offers its function.
 *
 * @example
 * noWorkerMessage('support-agent', 5000).includes('support-agent') // → true
 */
export function noWorkerMessage(functionName: string, workerTimeoutMs: number): string {
  return (
    `No worker: no process connected to this server registered "${functionName}" within ${Math.round(workerTimeoutMs / 100) / 10} s. ` +
    `Start one with \`retrace worker ./path/to/agent.ts\` (a module that wraps the agent with record({ name: '${functionName}', resumable: true }, fn); ` +
    'RETRACE_BASE_URL and RETRACE_API_KEY set), or keep a process that recorded it connected, then replay the fork again.'
  )
}

/**
 * Runs forks on the workers connected to this server process. Every process sharing the
 * store runs one; they coordinate only through the store:
 * - it claims queued forks for the workers it holds (the least busy one that registered the
 *   fork's function), within each sweep's concurrency across every process, and sends each
 *   its `resume` with the recorded run (cassette, arguments, tool results);
 * - it marks a fork finished when its trace ends (from the store's change feed, and by
 *   polling in case a notification was missed);
 * - its maintenance pass sends again the forks of workers that went away, fails forks past
 *   the run timeout and ends as `no_worker` those no process offered to run in time.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { resolveServerConfig } from '../../config/server-config.ts'
 * import { ConnectionRegistry } from '../../ingest/connection-registry.ts'
 * import { IngestWriter } from '../../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../../ingest/rate-limiter.ts'
 * import { createLogger } from '../../logging/logger.ts'
 * import { openStore } from '../../store/open-store.ts'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const exchange = (text: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } } },
 * })
 * const llm = (traceId: string, n: number, text: string) => ({
 *   id: `${traceId}.${n}`, traceId, kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 *   interaction: exchange(text),
 * })
 * // One run as the SDK streams it: its start, its LLM spans, its end.
 * const run = (traceId: string, answers: string[]) => [
 *   { type: 'trace.start' as const, id: `${traceId}:start`, trace: { id: traceId, name: 'weather', startedAt: at(0), input: 'Weather in Paris?' } },
 *   ...answers.map((text, index) => ({ type: 'span' as const, id: `${traceId}.${index + 1}`, span: llm(traceId, index + 1, text) })),
 *   { type: 'trace.end' as const, id: `${traceId}:end`, trace: { id: traceId, endedAt: at(59), status: 'completed' as const, output: answers.at(-1), totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 59_000 } } },
 * ]
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const fork = await store.forks.createFork({ projectId: project.id, traceId: 'tr_1', spanId: 'tr_1.2', forkPointStep: 2, forkPointToolCall: null, functionName: 'weather', modifiedInput: 'Oslo?', queued: true })
 * const scheduler = new ForkScheduler(services, { workerTimeoutMs: 50, runTimeoutMs: 600_000, pollMs: 10 })
 * scheduler.start()
 * // No process registered `weather`: after workerTimeoutMs the fork ends as no_worker.
 * let status = fork.status
 * for (let tries = 0; status === 'queued' && tries < 200; tries++) {
 *   await new Promise((resolve) => setTimeout(resolve, 20))
 *   status = (await store.forks.getFork(project.id, fork.id))!.status
 * }
 * status // → 'no_worker'
 * await scheduler.close()
 * services.connections.dispose()
 * await store.close()
 */
export class ForkScheduler {
  readonly #services: ForkSchedulerServices
  readonly #timeouts: ForkTimeouts
  readonly #pollMs: number
  readonly #recordings = new Map<string, { at: number; value: Promise<Omit<ResumeMessage, 'type' | 'forkId' | 'traceId' | 'forkPointStep' | 'modifiedInput' | 'name'>> }>()
  #unsubscribe: (() => void) | undefined
  #timer: NodeJS.Timeout | undefined
  #cycle: Promise<void> | undefined
  #again = false
  #closed = false
  #lastMaintenance = 0
  #busy = false

  constructor(services: ForkSchedulerServices, options: ForkSchedulerOptions) {
    this.#services = services
    this.#timeouts = { workerTimeoutMs: options.workerTimeoutMs, runTimeoutMs: options.runTimeoutMs, lostWorkerGraceMs: options.lostWorkerGraceMs ?? 15_000, maxAttempts: 3 }
    this.#pollMs = options.pollMs ?? 250
  }

  start(): void {
    this.#unsubscribe = this.#services.store.feed.subscribe((message) => void this.#onFeed(message))
    this.#schedule(0)
  }

  /** Runs a cycle soon: something was queued, a worker registered, a slot was freed. */
  wake(): void {
    if (this.#closed) return
    if (this.#cycle) {
      this.#again = true
      return
    }
    this.#schedule(0)
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#unsubscribe?.()
    clearTimeout(this.#timer)
    await this.#cycle
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#runCycle(), ms)
    this.#timer.unref()
  }

  #runCycle(): void {
    if (this.#closed || this.#cycle) return
    this.#cycle = this.#cycleOnce()
      .catch((error: unknown) => this.#services.log.warn({ err: error }, 'fork scheduling failed; trying again'))
      .finally(() => {
        this.#cycle = undefined
        if (this.#closed) return
        if (this.#again) {
          this.#again = false
          this.#schedule(0)
        } else this.#schedule(this.#busy ? this.#pollMs : this.#pollMs * 4)
      })
  }

  async #cycleOnce(): Promise<void> {
    const { store } = this.#services
    const now = Date.now()
    // Timeouts, lost workers and missed notifications need no haste: once a second at most,
    // so the store's one writer stays free for ingest and claims.
    if (now - this.#lastMaintenance >= this.#pollMs * 4) {
      this.#lastMaintenance = now
      this.#busy = await store.forks.hasOpenWork()
      if (this.#busy) {
        await this.#catchUpForkTraces()
        await store.forks.maintain(await store.forks.liveConnections(ALIVE_WITHIN_MS), this.#timeouts, (fork) => noWorkerMessage(fork.functionName, this.#timeouts.workerTimeoutMs))
      }
    }
    const workers = await this.#localWorkers()
    if (!workers.length) return
    const live = await store.forks.liveConnections(ALIVE_WITHIN_MS)
    const liveInstances = new Set(live.flatMap((connection) => (connection.instanceId ? [connection.instanceId] : [])))
    const claimed = await store.forks.claim(this.#services.serverId, workers, { workersOffering: workersOffering(live), liveInstances })
    if (claimed.length) this.#busy = true
    await Promise.all(claimed.map((item) => this.#dispatch(item)))
  }

  /** The registered connections this process holds. */
  async #localWorkers(): Promise<LocalWorker[]> {
    const rows = await this.#services.store.forks.localConnections(this.#services.serverId)
    return rows
      .filter((row) => row.resumable.length > 0 && this.#services.connections.holds(row.id))
      .map((row) => ({ connectionId: row.id, projectId: row.projectId, instanceId: row.instanceId, functions: new Set(row.resumable) }))
  }

  async #dispatch({ fork, connectionId }: ClaimedFork): Promise<void> {
    const { connections, store, log } = this.#services
    try {
      const message: ResumeMessage = {
        type: 'resume',
        forkId: fork.commandId!,
        traceId: fork.traceId,
        name: fork.functionName,
        forkPointStep: fork.forkPointStep,
        ...(fork.forkPointToolCall !== null ? { forkPointToolCall: fork.forkPointToolCall } : {}),
        modifiedInput: (fork.modifiedInput ?? null) as ResumeMessage['modifiedInput'],
        ...(await this.#recording(fork)),
      }
      if (await connections.send(connectionId, message)) {
        log.debug({ forkId: fork.id, command: fork.commandId, connectionId }, 'fork sent to a worker')
        return
      }
    } catch (error) {
      log.warn({ err: error, forkId: fork.id }, 'could not send a fork to its worker')
    }
    await store.forks.requeue(fork.id, fork.commandId!, 'The worker chosen for this fork went away before it got it; sent again.')
    this.wake()
  }

  /** What a worker needs of the recorded run (cached briefly: a sweep's variants share it). */
  #recording(fork: ForkRecord) {
    const key = `${fork.projectId}\u0000${fork.traceId}`
    const now = Date.now()
    const cached = this.#recordings.get(key)
    if (cached && now - cached.at < RECORDING_CACHE_MS) return cached.value
    for (const [name, entry] of this.#recordings) if (now - entry.at >= RECORDING_CACHE_MS) this.#recordings.delete(name)
    const value = (async () => {
      const { store } = this.#services
      const found = await store.getTrace(fork.projectId, fork.traceId)
      const pushed = await store.getCassetteBody(fork.projectId, fork.traceId)
      const recording = pushed !== undefined ? { cassette: JSON.parse(pushed) as Cassette } : found ? assembleCassette(found) : undefined
      const input = found?.trace.input
      return {
        // Without a cassette the worker can still resume a run it holds in memory.
        ...(recording && 'cassette' in recording ? { cassette: recording.cassette } : {}),
        ...(Array.isArray(input) ? { originalArgs: input } : {}),
        ...(found ? { recordedTools: recordedToolCalls(found.spans) } : {}),
      }
    })()
    this.#recordings.set(key, { at: now, value })
    value.catch(() => this.#recordings.delete(key))
    return value
  }

  /** Fork traces that ended without this process hearing of it (a missed notification). */
  async #catchUpForkTraces(): Promise<void> {
    const { store } = this.#services
    const running = await store.forks.openCommands()
    if (!running.length) return
    const finished = await store.forks.applyForkTraces(await store.forks.tracesOfCommands(running))
    if (finished.length) this.#again = true
  }

  async #onFeed(message: FeedMessage): Promise<void> {
    if (this.#closed) return
    if (message.kind === 'forks.queued') return this.wake()
    if (message.kind !== 'traces.changed') return
    try {
      const states = await this.#services.store.forks.forkTraceStates(message.projectId, message.traceIds)
      if (!states.length) return
      await this.#services.store.forks.applyForkTraces(states)
      // A finished fork frees a slot (in this process's sweeps or another's).
      this.wake()
    } catch (error) {
      this.#services.log.warn({ err: error }, 'could not record the end of a fork')
    }
  }
}
