import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { configure, RetraceWorkerError, startWorker } from '@retrace/core'
import { runtime } from '@retrace/core/internal'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'

/** Options of `retrace worker`. */
export interface WorkerCommandOptions {
  modules: string[]
  /** Most forks run at once (default 4). */
  concurrency?: number | undefined
  baseUrl?: string | undefined
  apiKey?: string | undefined
  /** How long a stop waits for running forks, in ms (default 60 s). */
  shutdownTimeoutMs?: number | undefined
  cwd?: string | undefined
  /** Stops the worker (tests); SIGINT and SIGTERM do too. */
  signal?: AbortSignal | undefined
}

/**
 * `retrace worker <module…>`: imports the modules (which wrap agents with
 * `record({ name, resumable: true }, fn)`), connects to the Retrace server, registers their
 * functions and runs the forks the server sends, at most `concurrency` at once. SIGINT or
 * SIGTERM stops it gracefully: no new fork is taken, the running ones finish and are
 * delivered, then it exits 0. Exit 5 when a module cannot be imported or registers nothing.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { bufferTerminal } from '../output/terminal.ts'
 * // In a project: runWorkerCommand({ modules: ['./agent.ts'], concurrency: 4 }, processTerminal()),
 * // which connects to the server and runs its forks until stopped. A module that registers
 * // no resumable function is a usage error, before any connection:
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * writeFileSync(join(dir, 'agent.mjs'), 'export const answer = (question) => question\n')
 * const terminal = bufferTerminal()
 * await runWorkerCommand({ modules: ['./agent.mjs'], concurrency: 4, cwd: dir, apiKey: 'rt_example_key' }, terminal) // → 5
 */
export async function runWorkerCommand(options: WorkerCommandOptions, terminal: Terminal): Promise<ExitCode> {
  if (!options.modules.length) throw new UsageError('name at least one module to import: retrace worker ./agent.ts')
  if (options.baseUrl !== undefined || options.apiKey !== undefined) {
    configure({ ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}), ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}) })
  }
  const cwd = options.cwd ?? process.cwd()
  for (const module of options.modules) {
    const file = resolve(cwd, module)
    if (!existsSync(file)) throw new UsageError(`no module ${module} (looked at ${file}).`)
    try {
      await import(pathToFileURL(file).href)
    } catch (error) {
      terminal.err(`retrace worker: importing ${module} failed: ${error instanceof Error ? error.message : String(error)}\n`)
      return EXIT.usage
    }
  }
  let worker
  try {
    worker = startWorker({ concurrency: options.concurrency ?? 4 })
  } catch (error) {
    if (!(error instanceof RetraceWorkerError)) throw error
    terminal.err(`retrace worker: ${error.message}\n`)
    return EXIT.usage
  }
  terminal.err(`retrace worker: offering ${worker.functions.join(', ')} to ${runtime().config.baseUrl} (at most ${options.concurrency ?? 4} forks at once). Ctrl-C stops it once the running forks finish.\n`)
  let reported = 0
  const progress = setInterval(() => {
    if (worker.completed === reported) return
    reported = worker.completed
    terminal.err(`retrace worker: ${reported} fork(s) done, ${worker.running} running, ${worker.waiting} waiting\n`)
  }, 1_000)
  // The SDK's sockets never keep a process alive; a worker must stay up until it is stopped.
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      options.signal?.removeEventListener('abort', stop)
      done()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    if (options.signal?.aborted) stop()
    else options.signal?.addEventListener('abort', stop)
  })
  clearInterval(progress)
  terminal.err(`retrace worker: stopping: no new forks; waiting for ${worker.running + worker.waiting} running…\n`)
  const { drained } = await worker.stop({ timeoutMs: options.shutdownTimeoutMs ?? 60_000 })
  terminal.err(drained ? `retrace worker: stopped (${worker.completed} fork(s) done).\n` : 'retrace worker: stopped before every running fork finished (--shutdown-timeout).\n')
  return EXIT.pass
}
