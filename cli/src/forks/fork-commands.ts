import { readFile } from 'node:fs/promises'
import { EXIT, mostSevere, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'
import { exitForStatus, forkApi, inputFrom, runForkCommand, type ForkAnswer, type ForkCommandOptions } from './fork-client.ts'
import { renderDiff, renderEstimate, renderFork, renderSensitivity, renderSweep, sweepProgress } from './render-forks.ts'
import { bar, FINAL_STATUSES, pollWithProgress } from './wait-progress.ts'

// The `retrace forks` commands. Each prints human output by default and the server's JSON
// with --json; exit codes: 0 ok · 1 a fork failed (or a wait timed out) · 2 no such trace,
// span, fork or sweep, or a fork that has not run · 5 usage · 6 server unreachable or key
// refused · 8 no worker registered the fork's function.

const path = (value: string) => encodeURIComponent(value)
const print = (terminal: Terminal, json: boolean | undefined, value: unknown, human: () => string) => terminal.out(json ? `${JSON.stringify(value, null, 2)}\n` : human())

/** Waits for a fork to end, with a progress line. */
async function waitForFork(target: Parameters<Parameters<typeof runForkCommand>[3]>[0], id: string, terminal: Terminal, timeoutMs: number): Promise<{ fork: ForkAnswer; finished: boolean }> {
  const { value, finished } = await pollWithProgress(
    () => forkApi<ForkAnswer>(target, `/api/v1/forks/${path(id)}`),
    (fork) => FINAL_STATUSES.has(fork.status),
    (fork, elapsed) => `fork ${fork.id}: ${fork.status}${fork.status === 'queued' ? ' (waiting for a worker)' : ''} · ${(elapsed / 1000).toFixed(1)} s`,
    terminal,
    timeoutMs,
  )
  return { fork: value, finished }
}

/** How a waited-for fork ends the command. */
function finishWait(fork: ForkAnswer, finished: boolean, options: ForkCommandOptions, terminal: Terminal, timeoutMs: number): ExitCode {
  print(terminal, options.json, fork, () => renderFork(fork, terminal))
  if (!finished) {
    terminal.err(`retrace forks: fork ${fork.id} is still ${fork.status} after ${Math.round(timeoutMs / 1000)} s (--timeout).\n`)
    return EXIT.regression
  }
  if (fork.status === 'completed' && !options.json) terminal.err(`see the diff: retrace forks diff ${fork.id}\n`)
  return exitForStatus(fork.status)
}

export interface CreateOptions extends ForkCommandOptions {
  trace: string
  span: string
  input?: string | undefined
  inputJson?: string | undefined
  function?: string | undefined
  replay?: boolean | undefined
  wait?: boolean | undefined
  timeoutMs: number
}

/**
 * `retrace forks create --trace <id> --span <id> --input "…"`: a fork at that span with the
 * new input (`--replay` runs it too; `--wait` waits for it).
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const fork = { id: 'fk_1', status: 'completed', trace_id: 'tr_1', fork_point_span_id: 'sp_3', fork_point_step: 3, fork_trace_id: 'tr_2', message: null }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/forks': fork, 'POST /api/v1/forks/fk_1/replay': fork, 'GET /api/v1/forks/fk_1': fork }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await createForkCommand({ ...options, trace: 'tr_1', span: 'sp_3', input: 'What about Oslo?', wait: true, timeoutMs: 600_000 }, terminal) // → 0
 * asked // → ['POST /api/v1/forks', 'POST /api/v1/forks/fk_1/replay', 'GET /api/v1/forks/fk_1']
 * terminal.stdout() // → 'fork fk_1 · completed · from step 3 of trace tr_1 (span sp_3)\n  fork trace: tr_2\n'
 * server.close()
 */
export async function createForkCommand(options: CreateOptions, terminal: Terminal): Promise<ExitCode> {
  const modifiedInput = inputFrom(options)
  return runForkCommand('forks create', options, terminal, async (target) => {
    const body = { trace_id: options.trace, fork_point_span_id: options.span, modified_input: modifiedInput, ...(options.function ? { function: options.function } : {}) }
    let fork = await forkApi<ForkAnswer>(target, '/api/v1/forks', { json: body })
    if (options.replay || options.wait) fork = await forkApi<ForkAnswer>(target, `/api/v1/forks/${path(fork.id)}/replay`, { method: 'POST' })
    if (options.wait) {
      const waited = await waitForFork(target, fork.id, terminal, options.timeoutMs)
      return finishWait(waited.fork, waited.finished, options, terminal, options.timeoutMs)
    }
    print(terminal, options.json, fork, () => `${renderFork(fork, terminal)}${fork.status === 'created' ? `run it: retrace forks replay ${fork.id} --wait\n` : ''}`)
    return EXIT.pass
  })
}

/**
 * `retrace forks replay <id> [--wait] [--force]`: runs the fork (again only with --force).
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const fork = { id: 'fk_1', status: 'completed', trace_id: 'tr_1', fork_point_span_id: 'sp_3', fork_point_step: 3, fork_trace_id: 'tr_2', message: null }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/forks/fk_1/replay': fork, 'GET /api/v1/forks/fk_1': fork }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await replayForkCommand({ ...options, id: 'fk_1', wait: true, timeoutMs: 600_000 }, terminal) // → 0
 * await replayForkCommand({ ...options, id: 'fk_9', timeoutMs: 600_000 }, terminal) // → 2
 * server.close()
 */
export async function replayForkCommand(options: ForkCommandOptions & { id: string; wait?: boolean | undefined; force?: boolean | undefined; timeoutMs: number }, terminal: Terminal): Promise<ExitCode> {
  return runForkCommand('forks replay', options, terminal, async (target) => {
    const fork = await forkApi<ForkAnswer>(target, `/api/v1/forks/${path(options.id)}/replay`, { method: 'POST', json: options.force ? { force: true } : {} })
    if (!options.wait) {
      print(terminal, options.json, fork, () => renderFork(fork, terminal))
      return FINAL_STATUSES.has(fork.status) ? exitForStatus(fork.status) : EXIT.pass
    }
    const waited = await waitForFork(target, fork.id, terminal, options.timeoutMs)
    return finishWait(waited.fork, waited.finished, options, terminal, options.timeoutMs)
  })
}

/**
 * `retrace forks get <id>`: a fork's status.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const fork = { id: 'fk_1', status: 'completed', trace_id: 'tr_1', fork_point_span_id: 'sp_3', fork_point_step: 3, fork_trace_id: 'tr_2', message: null }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'GET /api/v1/forks/fk_1': fork }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await getForkCommand({ ...options, id: 'fk_1' }, terminal) // → 0
 * terminal.stdout() // → 'fork fk_1 · completed · from step 3 of trace tr_1 (span sp_3)\n  fork trace: tr_2\n'
 * server.close()
 */
export async function getForkCommand(options: ForkCommandOptions & { id: string }, terminal: Terminal): Promise<ExitCode> {
  return runForkCommand('forks get', options, terminal, async (target) => {
    const fork = await forkApi<ForkAnswer>(target, `/api/v1/forks/${path(options.id)}`)
    print(terminal, options.json, fork, () => renderFork(fork, terminal))
    return EXIT.pass
  })
}

/**
 * `retrace forks diff <id> [--json]`: original vs fork, step by step.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const diff = { fork_id: 'fk_1', trace_id: 'tr_1', fork_trace_id: 'tr_2', fork_point_step: 3, steps: [] }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'GET /api/v1/forks/fk_1/diff': diff }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await diffForkCommand({ ...options, id: 'fk_1', json: true }, terminal) // → 0
 * JSON.parse(terminal.stdout()) // → diff
 * server.close()
 */
export async function diffForkCommand(options: ForkCommandOptions & { id: string }, terminal: Terminal): Promise<ExitCode> {
  return runForkCommand('forks diff', options, terminal, async (target) => {
    const diff = await forkApi<Parameters<typeof renderDiff>[0]>(target, `/api/v1/forks/${path(options.id)}/diff`)
    print(terminal, options.json, diff, () => renderDiff(diff, terminal))
    return EXIT.pass
  })
}

/**
 * `retrace forks estimate <id>`: what the fork will cost, before it runs.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const estimate = { fork_id: 'fk_1', naive_usd: 0.01, optimized_usd: 0.004 }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'GET /api/v1/forks/fk_1/estimate': estimate }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await estimateForkCommand({ ...options, id: 'fk_1', json: true }, terminal) // → 0
 * JSON.parse(terminal.stdout()) // → estimate
 * server.close()
 */
export async function estimateForkCommand(options: ForkCommandOptions & { id: string }, terminal: Terminal): Promise<ExitCode> {
  return runForkCommand('forks estimate', options, terminal, async (target) => {
    const estimate = await forkApi<Parameters<typeof renderEstimate>[0]>(target, `/api/v1/forks/${path(options.id)}/estimate`)
    print(terminal, options.json, estimate, () => renderEstimate(estimate))
    return EXIT.pass
  })
}

/**
 * `retrace forks commit <id>`: the fork becomes its trace's baseline.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const fork = { id: 'fk_1', status: 'completed', trace_id: 'tr_1', fork_point_span_id: 'sp_3', fork_point_step: 3, fork_trace_id: 'tr_2', message: null }
 * const committed = { fork, baseline: { trace_id: 'tr_1', baseline_trace_id: 'tr_2', lineage: [] } }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/forks/fk_1/commit': committed }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await commitForkCommand({ ...options, id: 'fk_1', json: true }, terminal) // → 0
 * JSON.parse(terminal.stdout()) // → committed
 * server.close()
 */
export async function commitForkCommand(options: ForkCommandOptions & { id: string }, terminal: Terminal): Promise<ExitCode> {
  return runForkCommand('forks commit', options, terminal, async (target) => {
    const answer = await forkApi<{ fork: ForkAnswer; baseline: { trace_id: string; baseline_trace_id: string; lineage: unknown[] } }>(target, `/api/v1/forks/${path(options.id)}/commit`, { method: 'POST' })
    print(
      terminal,
      options.json,
      answer,
      () => `✓ fork ${answer.fork.id} committed: trace ${answer.baseline.trace_id}'s baseline is now ${answer.baseline.baseline_trace_id} (commit ${answer.baseline.lineage.length}).\n  retrace pull ${answer.baseline.trace_id} --out <file> writes its cassette.\n`,
    )
    return EXIT.pass
  })
}

/** Variants from `--variant label=input` flags and a `--variants-file` (JSON array of { label, modified_input }). */
async function variantsFrom(options: { variant: string[]; variantsFile?: string | undefined }): Promise<Array<{ label: string; modified_input: unknown }>> {
  const variants: Array<{ label: string; modified_input: unknown }> = options.variant.map((spec, index) => {
    const at = spec.indexOf('=')
    return at > 0 ? { label: spec.slice(0, at), modified_input: spec.slice(at + 1) } : { label: `variant-${index + 1}`, modified_input: spec }
  })
  if (options.variantsFile) {
    let parsed: unknown
    try {
      parsed = JSON.parse(await readFile(options.variantsFile, 'utf8'))
    } catch (error) {
      throw new UsageError(`--variants-file ${options.variantsFile}: ${(error as Error).message}`)
    }
    if (!Array.isArray(parsed)) throw new UsageError(`--variants-file ${options.variantsFile}: expected a JSON array of { "label", "modified_input" }.`)
    variants.push(...(parsed as Array<{ label: string; modified_input: unknown }>))
  }
  if (!variants.length) throw new UsageError('no variants: pass --variant "label=new input" (repeatable) or --variants-file variants.json.')
  return variants
}

type SweepAnswer = Parameters<typeof renderSweep>[0] & { status: string }

/** The exit code of a finished sweep: the most severe of its variants'. */
function exitForSweep(sweep: SweepAnswer): ExitCode {
  return mostSevere(sweep.variants.map((variant) => (variant.status === 'cancelled' ? EXIT.pass : exitForStatus(variant.status))))
}

/**
 * `retrace forks sweep --trace <id> --span <id> --variant label=input …`: several forks at
 * once, at most --concurrency running (default 3); --wait shows a progress bar.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const sweep = { id: 'sw_1', kind: 'sweep', status: 'completed', progress: { total: 1, done: 1, running: 0, completed: 1, failed: 0, no_worker: 0, cancelled: 0 }, variants: [{ index: 0, label: 'concise', status: 'completed', message: null, result: { divergence_score: 0.42, verdict: 'diverged', first_divergent_step: 3, output: 'Oslo: rain', cost_usd: 0.0004 } }] }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/forks/sweep': sweep, 'GET /api/v1/forks/sweep/sw_1': sweep }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await sweepCommand({ ...options, trace: 'tr_1', span: 'sp_3', variant: ['concise=Be brief.'], wait: true, timeoutMs: 600_000 }, terminal) // → 0
 * asked // → ['POST /api/v1/forks/sweep', 'GET /api/v1/forks/sweep/sw_1']
 * terminal.stdout().includes('concise') // → true
 * server.close()
 */
export async function sweepCommand(
  options: ForkCommandOptions & { trace: string; span: string; variant: string[]; variantsFile?: string | undefined; concurrency?: number | undefined; function?: string | undefined; wait?: boolean | undefined; timeoutMs: number },
  terminal: Terminal,
): Promise<ExitCode> {
  const variants = await variantsFrom(options)
  return runForkCommand('forks sweep', options, terminal, async (target) => {
    const body = { trace_id: options.trace, fork_point_span_id: options.span, variants, ...(options.concurrency ? { concurrency: options.concurrency } : {}), ...(options.function ? { function: options.function } : {}) }
    const created = await forkApi<SweepAnswer>(target, '/api/v1/forks/sweep', { json: body })
    if (!options.wait) {
      print(terminal, options.json, created, () => `sweep ${created.id}: ${created.progress.total} variants queued (at most ${body.concurrency ?? 3} at once)\nfollow it: retrace forks sweep-status ${created.id} --wait\n`)
      return EXIT.pass
    }
    return waitForSweep(target, created.id, options, terminal)
  })
}

async function waitForSweep(target: Parameters<Parameters<typeof runForkCommand>[3]>[0], id: string, options: ForkCommandOptions & { timeoutMs: number }, terminal: Terminal): Promise<ExitCode> {
  const { value, finished } = await pollWithProgress(
    () => forkApi<SweepAnswer>(target, `/api/v1/forks/sweep/${path(id)}`),
    (sweep) => sweep.status !== 'running',
    (sweep) => sweepProgress(sweep, bar),
    terminal,
    options.timeoutMs,
  )
  print(terminal, options.json, value, () => renderSweep(value, terminal))
  if (!finished) {
    terminal.err(`retrace forks: sweep ${id} is still running after ${Math.round(options.timeoutMs / 1000)} s (--timeout).\n`)
    return EXIT.regression
  }
  return exitForSweep(value)
}

/**
 * `retrace forks sweep-status <id> [--wait]`: a sweep's progress and results.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const sweep = { id: 'sw_1', kind: 'sweep', status: 'completed', progress: { total: 1, done: 1, running: 0, completed: 1, failed: 0, no_worker: 0, cancelled: 0 }, variants: [{ index: 0, label: 'concise', status: 'completed', message: null, result: { divergence_score: 0.42, verdict: 'diverged', first_divergent_step: 3, output: 'Oslo: rain', cost_usd: 0.0004 } }] }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'GET /api/v1/forks/sweep/sw_1': sweep }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await sweepStatusCommand({ ...options, id: 'sw_1', wait: true, timeoutMs: 600_000 }, terminal) // → 0
 * terminal.stdout().split('\n')[0] // → 'sweep sw_1 · completed'
 * server.close()
 */
export async function sweepStatusCommand(options: ForkCommandOptions & { id: string; wait?: boolean | undefined; timeoutMs: number }, terminal: Terminal): Promise<ExitCode> {
  return runForkCommand('forks sweep-status', options, terminal, async (target) => {
    if (options.wait) return waitForSweep(target, options.id, options, terminal)
    const sweep = await forkApi<SweepAnswer>(target, `/api/v1/forks/sweep/${path(options.id)}`)
    print(terminal, options.json, sweep, () => `${sweepProgress(sweep, bar)}\n${renderSweep(sweep, terminal)}`)
    return sweep.status === 'running' ? EXIT.pass : exitForSweep(sweep)
  })
}

/**
 * `retrace forks cancel <sweep-id>`: variants not started are cancelled.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const sweep = { id: 'sw_1', kind: 'sweep', status: 'completed', progress: { total: 1, done: 1, running: 0, completed: 1, failed: 0, no_worker: 0, cancelled: 0 }, variants: [{ index: 0, label: 'concise', status: 'completed', message: null, result: { divergence_score: 0.42, verdict: 'diverged', first_divergent_step: 3, output: 'Oslo: rain', cost_usd: 0.0004 } }] }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/forks/sweep/sw_1/cancel': { ...sweep, status: 'cancelled' } }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await cancelSweepCommand({ ...options, id: 'sw_1' }, terminal) // → 0
 * asked // → ['POST /api/v1/forks/sweep/sw_1/cancel']
 * server.close()
 */
export async function cancelSweepCommand(options: ForkCommandOptions & { id: string }, terminal: Terminal): Promise<ExitCode> {
  return runForkCommand('forks cancel', options, terminal, async (target) => {
    const sweep = await forkApi<SweepAnswer>(target, `/api/v1/forks/sweep/${path(options.id)}/cancel`, { method: 'POST' })
    print(terminal, options.json, sweep, () => `sweep ${sweep.id} cancelled: ${sweep.progress.cancelled} variant(s) will not run; ${sweep.progress.running} running finish.\n`)
    return EXIT.pass
  })
}

type SensitivityAnswer = { id: string; status: string; progress: SweepAnswer['progress']; report: Parameters<typeof renderSensitivity>[1] | null }

/**
 * `retrace forks sensitivity --trace <id> --span <id> [--k 8] [--seed 0]`: perturbs the input
 * k times, runs the variants and prints the report (waits unless --no-wait).
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const report = { k: 2, seed: 1, scored: 2, sensitivity_score: 0.35, flip_rate: 0.5, per_step_flip_rate: [{ step: 2, variants: 1, rate: 0.5 }], variants: [{ label: 'typo', divergence_score: 0.6, flipped: true, flip_reasons: ['answer changed'], first_divergent_step: 2 }, { label: 'synonym', divergence_score: 0.1, flipped: false, flip_reasons: [], first_divergent_step: null }] }
 * const sensitivity = { id: 'sens_1', status: 'completed', progress: { total: 2, done: 2, running: 0, completed: 2, failed: 0, no_worker: 0, cancelled: 0 }, report }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/forks/sensitivity': sensitivity, 'GET /api/v1/forks/sensitivity/sens_1': sensitivity }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await sensitivityCommand({ ...options, trace: 'tr_1', span: 'sp_1', k: 2, seed: '1', wait: true, timeoutMs: 600_000 }, terminal) // → 0
 * terminal.stdout().split('\n')[0] // → 'sensitivity sens_1: 2 of 2 variants scored (seed 1)'
 * server.close()
 */
export async function sensitivityCommand(
  options: ForkCommandOptions & { trace: string; span: string; k?: number | undefined; seed?: string | undefined; perturbations?: string | undefined; input?: string | undefined; inputJson?: string | undefined; concurrency?: number | undefined; function?: string | undefined; wait: boolean; timeoutMs: number },
  terminal: Terminal,
): Promise<ExitCode> {
  const input = inputFrom(options, false)
  const seed = options.seed === undefined ? undefined : /^-?\d+$/.test(options.seed) ? Number(options.seed) : options.seed
  return runForkCommand('forks sensitivity', options, terminal, async (target) => {
    const body = {
      trace_id: options.trace,
      fork_point_span_id: options.span,
      ...(options.k ? { k: options.k } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(options.perturbations ? { perturbations: options.perturbations.split(',').map((name) => name.trim()).filter(Boolean) } : {}),
      ...(input !== undefined ? { input } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.function ? { function: options.function } : {}),
    }
    const created = await forkApi<SensitivityAnswer>(target, '/api/v1/forks/sensitivity', { json: body })
    if (!options.wait) {
      print(terminal, options.json, created, () => `sensitivity ${created.id}: ${created.progress.total} perturbed variants queued\nthe report: retrace forks sensitivity-report ${created.id}\n`)
      return EXIT.pass
    }
    return waitForReport(target, created.id, options, terminal)
  })
}

async function waitForReport(target: Parameters<Parameters<typeof runForkCommand>[3]>[0], id: string, options: ForkCommandOptions & { timeoutMs: number }, terminal: Terminal): Promise<ExitCode> {
  const { value, finished } = await pollWithProgress(
    () => forkApi<SensitivityAnswer>(target, `/api/v1/forks/sensitivity/${path(id)}`),
    (answer) => answer.report !== null,
    (answer) => sweepProgress({ ...answer, variants: [], kind: 'sensitivity' }, bar),
    terminal,
    options.timeoutMs,
  )
  if (!finished || !value.report) {
    print(terminal, options.json, value, () => `sensitivity ${id}: still running after ${Math.round(options.timeoutMs / 1000)} s (--timeout)\n`)
    return EXIT.regression
  }
  print(terminal, options.json, value, () => renderSensitivity(id, value.report!))
  if (value.report.scored === 0 && value.progress.no_worker > 0) return EXIT.noWorker
  return EXIT.pass
}

/**
 * `retrace forks sensitivity-report <id> [--wait]`: the report of a sensitivity run.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const report = { k: 2, seed: 1, scored: 2, sensitivity_score: 0.35, flip_rate: 0.5, per_step_flip_rate: [{ step: 2, variants: 1, rate: 0.5 }], variants: [{ label: 'typo', divergence_score: 0.6, flipped: true, flip_reasons: ['answer changed'], first_divergent_step: 2 }, { label: 'synonym', divergence_score: 0.1, flipped: false, flip_reasons: [], first_divergent_step: null }] }
 * const sensitivity = { id: 'sens_1', status: 'completed', progress: { total: 2, done: 2, running: 0, completed: 2, failed: 0, no_worker: 0, cancelled: 0 }, report }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'GET /api/v1/forks/sensitivity/sens_1': sensitivity }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await sensitivityReportCommand({ ...options, id: 'sens_1', wait: true, timeoutMs: 600_000 }, terminal) // → 0
 * terminal.stdout().includes('the outcome hinges most on step 2') // → true
 * server.close()
 */
export async function sensitivityReportCommand(options: ForkCommandOptions & { id: string; wait?: boolean | undefined; timeoutMs: number }, terminal: Terminal): Promise<ExitCode> {
  return runForkCommand('forks sensitivity-report', options, terminal, async (target) => {
    if (options.wait) return waitForReport(target, options.id, options, terminal)
    const answer = await forkApi<SensitivityAnswer>(target, `/api/v1/forks/sensitivity/${path(options.id)}`)
    print(terminal, options.json, answer, () => (answer.report ? renderSensitivity(options.id, answer.report) : `sensitivity ${options.id}: ${answer.progress.done}/${answer.progress.total} variants done; no report yet\n`))
    return EXIT.pass
  })
}
