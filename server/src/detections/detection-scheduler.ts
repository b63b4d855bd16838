import type { Logger } from 'pino'
import { DETECTORS_VERSION, type DetectorTrace } from '@retrace/detectors'
import type { DetectionTraceState, DetectionTrigger } from '../store/detection-record.ts'
import type { IngestBatch, Store } from '../store/store.ts'
import { DetectionRunner, STOPPING, type DetectionRunnerOptions } from './detection-runner.ts'
import { toTraceDetections, type TraceDetections } from './detection-view.ts'

/** Options of {@link DetectionScheduler}. */
export interface DetectionSchedulerOptions {
  /** How long after a trace ends its detectors run, so spans committed right after the end are read too. Default 100 ms. */
  endDelayMs?: number
  /** A running trace with agent spans is detected at most this often (live flags). Default 5,000 ms; 0 turns live detection off. */
  liveIntervalMs?: number
  /** Live detection only while a running trace has at most this many spans (larger ones wait for the end). Default 2,000. */
  liveMaxSpans?: number
  /** Batches of due traces checked at once (the store reads; the detectors themselves run one at a time). Default 4. */
  concurrency?: number
  runner?: DetectionRunnerOptions
}

interface Due {
  projectId: string
  traceId: string
  at: number
  /** The trace ended (not a live run): still run when the server stops. */
  ended: boolean
  timer: NodeJS.Timeout | undefined
}

const keyOf = (projectId: string, traceId: string) => `${projectId}\u0000${traceId}`
/** Running traces whose spans are remembered (about 100 bytes each). */
const MAX_TRACES_REMEMBERED = 50_000
/** Due traces whose state is read in one query (a bulk load ends thousands of traces at once). */
const CHECKS_PER_BATCH = 500

/**
 * Whether any span is an agent's: tagged with an agent, or an `agent` span.
 *
 * @example
 * const span = { id: 's1', traceId: 't1', kind: 'tool' as const, name: 'search', startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:00:01.000Z', durationMs: 1000, status: 'ok' as const }
 * hasAgentSpans([span]) // → false
 * hasAgentSpans([{ ...span, agent: { id: 'researcher' } }]) // → true
 */
export function hasAgentSpans(spans: DetectorTrace['spans']): boolean {
  return spans.some((span) => span.kind === 'agent' || span.agent !== undefined)
}

/**
 * When the server runs the multi-agent detectors, off the ingest path: told of each
 * committed batch (after its acknowledgement), it runs them shortly after a trace with agent
 * spans ends, and at most every `liveIntervalMs` while such a trace is running; on demand
 * for `POST /api/v1/traces/:id/detect`. The detectors run in a worker thread
 * (`DetectionRunner`); results are stored with the trace, with the rules version.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../store/open-store.ts'
 * import { generateApiKey } from '../auth/api-keys.ts'
 * import { createLogger } from '../logging/logger.ts'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const message = (n: number, agent: string, output: string) => ({ id: `tr_1.${n}`, traceId: 'tr_1', kind: 'agent' as const, name: agent, agent: { id: agent }, startedAt: at(n), endedAt: at(n), durationMs: 0, status: 'ok' as const, output })
 * const spans = [1, 2, 3].map((n) => ({ ...message(n, 'researcher', ''), kind: 'tool' as const, name: 'search_web', input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] } }))
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: [
 *   { type: 'trace.start', id: 'tr_1:start', trace: { id: 'tr_1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' } },
 *   ...spans.map((span) => ({ type: 'span' as const, id: span.id, span })),
 * ] }])
 * const detections = new DetectionScheduler({ store, log: createLogger({ level: 'silent' }) })
 * // startServer: writer.onCommitted((batches) => detections.noteCommitted(batches))
 * const result = await detections.detectNow(project.id, 'tr_1')
 * result?.flags.map((flag) => flag.kind) // → ['loop']
 * await detections.close()
 * await store.close()
 */
export class DetectionScheduler {
  readonly #store: Store
  readonly #log: Logger
  readonly #runner: DetectionRunner
  readonly #endDelayMs: number
  readonly #liveIntervalMs: number
  readonly #liveMaxSpans: number
  readonly #concurrency: number
  readonly #due = new Map<string, Due>()
  /** Checks whose time came, waiting for a free slot. */
  readonly #ready = new Set<string>()
  /** Running traces this process stored spans of, and whether any was an agent's (oldest forgotten first). */
  readonly #spansSeen = new Map<string, boolean>()
  /** Keys being checked; a key noted again meanwhile is checked once more after. */
  readonly #checking = new Map<string, boolean>()
  /** Batches being checked (at most `concurrency`). */
  #batchesRunning = 0
  #pumpQueued = false
  #idle: Array<() => void> = []
  #closed = false
  #stopped = false

  constructor(deps: { store: Store; log: Logger }, options: DetectionSchedulerOptions = {}) {
    this.#store = deps.store
    this.#log = deps.log
    this.#runner = new DetectionRunner(options.runner)
    this.#endDelayMs = options.endDelayMs ?? 100
    this.#liveIntervalMs = options.liveIntervalMs ?? 5_000
    this.#liveMaxSpans = options.liveMaxSpans ?? 2_000
    this.#concurrency = options.concurrency ?? 4
  }

  /**
   * Notes what a commit stored: a `trace.end` schedules that trace's detectors (unless this
   * process stored spans of it and none was an agent's), a span of an agent schedules a live
   * run (at most one per trace per interval). Cheap: no I/O here.
   */
  noteCommitted(batches: readonly IngestBatch[]): void {
    if (this.#closed) return
    for (const batch of batches) {
      for (const event of batch.events) {
        if (event.type !== 'span') continue
        const key = keyOf(batch.projectId, event.span.traceId)
        const agent = event.span.kind === 'agent' || event.span.agent !== undefined
        this.#spansSeen.set(key, (this.#spansSeen.get(key) ?? false) || agent)
        if (this.#spansSeen.size > MAX_TRACES_REMEMBERED) this.#spansSeen.delete(this.#spansSeen.keys().next().value!)
        if (agent && this.#liveIntervalMs > 0) this.#schedule(batch.projectId, event.span.traceId, this.#liveIntervalMs, false)
      }
    }
    for (const batch of batches) {
      for (const event of batch.events) {
        if (event.type !== 'trace.end') continue
        const key = keyOf(batch.projectId, event.trace.id)
        const agents = this.#spansSeen.get(key)
        this.#spansSeen.delete(key)
        // This process stored the trace's spans and none was an agent's: nothing to check.
        // Spans it never saw (another process, before a restart) are checked in the store.
        if (agents === false) continue
        this.#schedule(batch.projectId, event.trace.id, this.#endDelayMs, true)
      }
    }
  }

  /**
   * Runs the detectors over a trace now, whatever its state (agent spans or not, running or
   * ended), stores the result and returns the stored detections; undefined when the project
   * has no such trace.
   */
  async detectNow(projectId: string, traceId: string): Promise<TraceDetections | undefined> {
    const trace = await this.#store.detections.loadTrace(projectId, traceId)
    if (!trace) return undefined
    await this.#detect(projectId, trace, 'on-demand')
    return toTraceDetections(traceId, await this.#store.detections.get(projectId, traceId))
  }

  /** Resolves when no check is due, waiting or running (for tests and a graceful stop). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  /**
   * Stops: checks of ended traces already due run now (within `timeoutMs`), live ones are
   * dropped, then the worker stops.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return
    for (const [key, due] of this.#due) {
      clearTimeout(due.timer)
      if (!due.ended) this.#due.delete(key)
      else if (due.timer !== undefined) this.#ready.add(key)
    }
    this.#closed = true
    this.#pump()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
    clearTimeout(timer)
    this.#stopped = true
    for (const due of this.#due.values()) clearTimeout(due.timer)
    this.#due.clear()
    await this.#runner.close()
  }

  #schedule(projectId: string, traceId: string, delayMs: number, ended: boolean): void {
    if (this.#stopped) return
    const key = keyOf(projectId, traceId)
    const at = Date.now() + delayMs
    const due = this.#due.get(key)
    if (due && (due.at <= at || due.timer === undefined)) {
      due.ended ||= ended
      return
    }
    if (due) clearTimeout(due.timer)
    const timer = setTimeout(() => {
      const current = this.#due.get(key)
      if (!current) return
      current.timer = undefined
      this.#ready.add(key)
      this.#pumpSoon()
    }, delayMs)
    timer.unref()
    this.#due.set(key, { projectId, traceId, at, ended: ended || (due?.ended ?? false), timer })
  }

  /** Pumps once the timers due now have all fired, so traces that ended together share a batch. */
  #pumpSoon(): void {
    if (this.#pumpQueued) return
    this.#pumpQueued = true
    setImmediate(() => {
      this.#pumpQueued = false
      this.#pump()
    })
  }

  #pump(): void {
    while (this.#batchesRunning < this.#concurrency && this.#ready.size) {
      const batch: Due[] = []
      // Oldest first; a Set, so taking a batch from 100,000 waiting keys moves none of the others.
      for (const key of this.#ready) {
        if (batch.length === CHECKS_PER_BATCH) break
        this.#ready.delete(key)
        const due = this.#due.get(key)
        if (!due) continue
        this.#due.delete(key)
        if (this.#checking.has(key)) {
          // Being checked: look again once that check is done.
          this.#checking.set(key, true)
          continue
        }
        this.#checking.set(key, false)
        batch.push(due)
      }
      if (!batch.length) continue
      this.#batchesRunning++
      void this.#checkBatch(batch)
        .catch((error: unknown) => this.#log.warn({ err: error, traces: batch.length }, 'detections failed'))
        .finally(() => {
          this.#batchesRunning--
          for (const due of batch) {
            const key = keyOf(due.projectId, due.traceId)
            const again = this.#checking.get(key)
            this.#checking.delete(key)
            if (again) this.#schedule(due.projectId, due.traceId, 0, due.ended)
          }
          this.#pump()
          this.#notifyIdle()
        })
    }
    this.#notifyIdle()
  }

  /**
   * Reads the state of every trace in the batch with one query per project, then runs the
   * detectors over those with agent spans that changed since they were last detected.
   */
  async #checkBatch(batch: readonly Due[]): Promise<void> {
    const byProject = new Map<string, string[]>()
    for (const due of batch) {
      const traceIds = byProject.get(due.projectId)
      if (traceIds) traceIds.push(due.traceId)
      else byProject.set(due.projectId, [due.traceId])
    }
    for (const [projectId, traceIds] of byProject) {
      const states = await this.#store.detections.states(projectId, traceIds)
      for (const traceId of traceIds) {
        const state = states.get(traceId)
        if (!state || !this.#needsDetection(state)) continue
        try {
          const trace = await this.#store.detections.loadTrace(projectId, traceId)
          if (trace && hasAgentSpans(trace.spans)) await this.#detect(projectId, trace, trace.end ? 'trace-end' : 'live')
        } catch (error) {
          // One trace failing does not keep the others of its batch from being detected.
          this.#log.warn({ err: error, traceId }, 'detections failed')
        }
      }
    }
  }

  /** Whether a trace has agent spans and changed since it was last detected (a live one only while small). */
  #needsDetection(state: DetectionTraceState): boolean {
    if (!state.mayHaveAgents) return false
    const ended = state.status !== 'running'
    if (!ended && (this.#closed || state.spanCount > this.#liveMaxSpans)) return false
    const stored = state.stored
    return !(stored && stored.version === DETECTORS_VERSION && stored.spanCount === state.spanCount && (stored.traceStatus !== 'running') === ended)
  }

  async #detect(projectId: string, trace: DetectorTrace, trigger: DetectionTrigger): Promise<void> {
    const outcome = await this.#runner.run(trace)
    // Stopping is not a result of the trace: nothing is stored, the next start or a POST runs them.
    if ('error' in outcome && outcome.error.code === STOPPING) return
    if ('error' in outcome) this.#log.warn({ traceId: trace.trace.id, code: outcome.error.code, message: outcome.error.message }, 'the detectors did not finish')
    const saved = await this.#store.detections.save({
      projectId,
      traceId: trace.trace.id,
      trigger,
      traceStatus: trace.end ? trace.end.status : 'running',
      spanCount: trace.spans.length,
      version: DETECTORS_VERSION,
      result: 'result' in outcome ? outcome.result : undefined,
      error: 'error' in outcome ? outcome.error : undefined,
      durationMs: outcome.durationMs,
    })
    // Live listeners (the dashboard) read the trace again, flags included.
    if (saved) void this.#store.feed.publish({ kind: 'traces.changed', projectId, traceIds: [trace.trace.id] }).catch(() => {})
  }

  #isIdle(): boolean {
    return !this.#pumpQueued && this.#batchesRunning === 0 && this.#checking.size === 0 && this.#ready.size === 0 && this.#due.size === 0
  }

  #notifyIdle(): void {
    if (this.#isIdle()) for (const resolve of this.#idle.splice(0)) resolve()
  }
}
