import { RetraceError } from '@retrace/cassettes'
import { runtime } from '../runtime.ts'

/**
 * A worker cannot start: nothing to offer (no function recorded with `resumable: true`), or
 * no API key to connect with. The message says which and what to do.
 *
 * @example
 * const error = new RetraceWorkerError('no resumable function registered', 'Wrap your agent with record({ name, resumable: true }, fn).')
 * error.code // → 'RETRACE_WORKER'
 * error.message // → 'no resumable function registered. Wrap your agent with record({ name, resumable: true }, fn).'
 */
export class RetraceWorkerError extends RetraceError {
  constructor(problem: string, fix: string) {
    super('RETRACE_WORKER', `${problem}. ${fix}`)
  }
}

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** Most forks this process runs at once; more wait in order (default 4). */
  concurrency?: number
}

/** A running worker. */
export interface RetraceWorker {
  /** The resumable functions it offers to the server. */
  readonly functions: readonly string[]
  /** Forks running now. */
  readonly running: number
  /** Forks waiting for a free slot. */
  readonly waiting: number
  /** Forks finished since it started. */
  readonly completed: number
  /**
   * Graceful stop: offers no function any more (the server sends new forks elsewhere), lets
   * the forks it took finish (up to `timeoutMs`, default 60 s), delivers their traces and
   * closes the connection. `drained` is false when the timeout cut running forks short.
   */
  stop(options?: { timeoutMs?: number }): Promise<{ drained: boolean }>
}

/**
 * Turns this process into a fork worker: the functions recorded with
 * `record({ name, resumable: true }, fn)` (import their modules first) are registered with
 * the Retrace server (`configure()` / `RETRACE_BASE_URL`, `RETRACE_API_KEY`), and each
 * `resume` command the server sends re-runs one of them from its fork point, at most
 * `concurrency` at a time. `retrace worker <module…>` is this plus signal handling.
 *
 * @example
 * import { configure, record } from '@retrace/core'
 * // In a worker's entry module: configure (or RETRACE_* env), then import the agents' modules.
 * configure({ apiKey: 'rt_example', baseUrl: 'http://127.0.0.1:9' })
 * record({ name: 'support-agent', resumable: true }, async (question: string) => `An answer to ${question}`)
 * const worker = startWorker({ concurrency: 2 })
 * worker.functions.includes('support-agent') // → true
 * worker.running // → 0
 * // What `retrace worker` does on SIGTERM:
 * await worker.stop({ timeoutMs: 1_000 }) // → { drained: true }
 * configure({})
 */
export function startWorker(options: WorkerOptions = {}): RetraceWorker {
  const rt = runtime()
  const functions = [...rt.resumables.keys()]
  if (!functions.length) throw new RetraceWorkerError('no resumable function is registered', 'Wrap your agent with record({ name, resumable: true }, fn) in the modules the worker imports.')
  const concurrency = options.concurrency ?? 4
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RetraceWorkerError(`concurrency must be a whole number ≥ 1 (got ${concurrency})`, 'Pass e.g. --concurrency 4.')
  if (!rt.config.enabled) throw new RetraceWorkerError('Retrace is disabled in this process (RETRACE_ENABLED=false)', 'Enable it to run forks.')
  if (!rt.config.apiKey) throw new RetraceWorkerError('no API key', 'Set RETRACE_API_KEY (or pass --api-key): `retrace server` prints one on its first start.')
  rt.resumes.limit = concurrency
  rt.resumes.resumeAccepting()
  const transport = rt.transport()
  if (!transport) throw new RetraceWorkerError(`cannot connect to ${rt.config.baseUrl}`, 'Check RETRACE_BASE_URL.')
  transport.updateRegistration?.()
  let stopping: Promise<{ drained: boolean }> | undefined
  return {
    functions,
    get running() {
      return rt.resumes.active
    },
    get waiting() {
      return rt.resumes.waiting
    },
    get completed() {
      return rt.resumes.completed
    },
    stop({ timeoutMs = 60_000 } = {}) {
      return (stopping ??= (async () => {
        rt.resumes.stopAccepting()
        rt.transport()?.updateRegistration?.()
        let timer: NodeJS.Timeout | undefined
        const drained = await Promise.race([
          rt.resumes.idle().then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs)
            timer.unref()
          }),
        ])
        clearTimeout(timer)
        await rt.closeTransport(10_000)
        return { drained }
      })())
    },
  }
}
