import { Worker } from 'node:worker_threads'
import type { DetectionResult, DetectorTrace } from '@retrace/detectors'
import type { DetectionAnswer, DetectionJob } from './detection-worker.ts'

/** What one run of the detectors came to: a result, or an error with a code. */
export type DetectionOutcome = { result: DetectionResult; durationMs: number } | { error: { code: string; message: string }; durationMs: number }

/** Options of {@link DetectionRunner}. */
export interface DetectionRunnerOptions {
  /** A run taking longer is stopped (the worker is replaced) and stored as failed. Default 60 s. */
  timeoutMs?: number
  /** The worker's heap limit: a trace too large to detect fails alone, the server stays up. Default 1 GiB. */
  maxHeapMb?: number
}

// From the package's sources (tests, `@retrace/source`) the worker is the .ts file and needs
// the same condition to load the detectors' sources; from dist it is the built .js.
/** The error code of a run cut short because the server stops. */
export const STOPPING = 'RETRACE_SERVER_STOPPING'

const FROM_SOURCE = import.meta.url.endsWith('.ts')
const WORKER_URL = new URL(FROM_SOURCE ? './detection-worker.ts' : './detection-worker.js', import.meta.url)

interface Pending {
  job: DetectionJob
  resolve: (outcome: DetectionOutcome) => void
}

/**
 * Runs the detectors in one worker thread, one trace at a time, so they never block the
 * event loop that serves the API and acknowledges ingest. The worker starts on the first
 * trace and is replaced after a timeout or a crash; `run` never rejects.
 *
 * @example
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const message = (n: number, agent: string, output: string) => ({ id: `tr_1.${n}`, traceId: 'tr_1', kind: 'agent' as const, name: agent, agent: { id: agent }, startedAt: at(n), endedAt: at(n), durationMs: 0, status: 'ok' as const, output })
 * const spans = [1, 2, 3].map((n) => ({ ...message(n, 'researcher', ''), kind: 'tool' as const, name: 'search_web', input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] } }))
 * const trace = { trace: { id: 'tr_1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' }, spans }
 * const runner = new DetectionRunner()
 * const outcome = await runner.run(trace)
 * 'result' in outcome && outcome.result.flags.map((flag) => flag.kind) // → ['loop']
 * await runner.close()
 */
export class DetectionRunner {
  readonly #timeoutMs: number
  readonly #maxHeapMb: number
  #worker: Worker | undefined
  #queue: Pending[] = []
  #current: { pending: Pending; timer: NodeJS.Timeout; started: number } | undefined
  #nextId = 1
  #closed = false

  constructor(options: DetectionRunnerOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 60_000
    this.#maxHeapMb = options.maxHeapMb ?? 1024
  }

  /** Traces waiting or running. */
  get pending(): number {
    return this.#queue.length + (this.#current ? 1 : 0)
  }

  /** Runs the detectors over a trace in the worker. */
  run(trace: DetectorTrace): Promise<DetectionOutcome> {
    if (this.#closed) return Promise.resolve({ error: { code: STOPPING, message: 'The server is stopping; run the detectors again once it is back.' }, durationMs: 0 })
    return new Promise((resolve) => {
      this.#queue.push({ job: { id: this.#nextId++, trace }, resolve })
      this.#next()
    })
  }

  /** Stops the worker; traces still waiting answer that the server is stopping. */
  async close(): Promise<void> {
    this.#closed = true
    for (const pending of this.#queue.splice(0)) pending.resolve({ error: { code: STOPPING, message: 'The server stopped before the detectors ran.' }, durationMs: 0 })
    this.#finish({ error: { code: STOPPING, message: 'The server stopped while the detectors ran.' } })
    const worker = this.#worker
    this.#worker = undefined
    await worker?.terminate()
  }

  #next(): void {
    if (this.#current || this.#closed) return
    const pending = this.#queue.shift()
    if (!pending) return
    let worker: Worker
    try {
      worker = this.#worker ?? this.#start()
    } catch (error) {
      pending.resolve({ error: { code: 'RETRACE_DETECTOR_WORKER', message: `The detection worker could not start: ${(error as Error).message}` }, durationMs: 0 })
      this.#next()
      return
    }
    const timer = setTimeout(() => {
      this.#dropWorker()
      this.#finish({ error: { code: 'RETRACE_DETECTOR_TIMEOUT', message: `The detectors took longer than ${this.#timeoutMs} ms on this trace and were stopped.` } })
    }, this.#timeoutMs)
    timer.unref()
    this.#current = { pending, timer, started: performance.now() }
    worker.postMessage(pending.job)
  }

  #start(): Worker {
    const worker = new Worker(WORKER_URL, {
      execArgv: FROM_SOURCE ? ['--conditions=@retrace/source'] : [],
      resourceLimits: { maxOldGenerationSizeMb: this.#maxHeapMb },
      name: 'retrace-detections',
    })
    worker.unref()
    worker.on('message', (answer: DetectionAnswer) => {
      if (this.#current?.pending.job.id !== answer.id) return
      this.#finish('result' in answer ? { result: answer.result, durationMs: answer.durationMs } : { error: answer.error, durationMs: answer.durationMs })
    })
    worker.on('error', (error) => {
      if (this.#worker !== worker) return
      this.#dropWorker()
      this.#finish({ error: { code: (error as { code?: string }).code ?? 'RETRACE_DETECTOR_WORKER', message: `The detection worker failed: ${error instanceof Error ? error.message : String(error)}` } })
    })
    worker.on('exit', () => {
      if (this.#worker !== worker) return
      this.#worker = undefined
      this.#finish({ error: { code: 'RETRACE_DETECTOR_WORKER', message: 'The detection worker stopped.' } })
    })
    this.#worker = worker
    return worker
  }

  /** Stops the worker; a new one starts for the next trace. */
  #dropWorker(): void {
    const worker = this.#worker
    this.#worker = undefined
    void worker?.terminate()
  }

  #finish(outcome: DetectionOutcome | { error: { code: string; message: string } }): void {
    const current = this.#current
    if (!current) return
    this.#current = undefined
    clearTimeout(current.timer)
    current.pending.resolve('durationMs' in outcome ? outcome : { ...outcome, durationMs: performance.now() - current.started })
    this.#next()
  }
}
