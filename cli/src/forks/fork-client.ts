import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'
import { callServer, errorMessage, serverTarget, type ServerTarget } from '../commands/server-client.ts'

/** Flags every `retrace forks` command takes. */
export interface ForkCommandOptions {
  baseUrl?: string | undefined
  apiKey?: string | undefined
  json?: boolean | undefined
  env?: NodeJS.ProcessEnv | undefined
}

/** A fork as the server answers it (the fields the CLI reads). */
export interface ForkAnswer {
  id: string
  status: string
  trace_id: string
  fork_point_span_id: string
  fork_point_step: number
  fork_trace_id: string | null
  message: string | null
  [field: string]: unknown
}

/**
 * A server answer the command could not use: what to print and the exit code.
 *
 * @example
 * const error = new ForkCommandError('no fork fk_9', 2)
 * ;[error.message, error.exitCode] // → ['no fork fk_9', 2]
 */
export class ForkCommandError extends Error {
  readonly exitCode: ExitCode
  constructor(message: string, exitCode: ExitCode) {
    super(message)
    this.exitCode = exitCode
  }
}

/**
 * Calls the fork API and returns the body of a 2xx answer; any other answer is a
 * `ForkCommandError` with the exit code its status means: 404 and 409 → 2 (no such thing, or
 * not run yet), 400 → 5 (usage), 5xx → 6.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const fork = { id: 'fk_1', status: 'completed', trace_id: 'tr_1', fork_point_span_id: 'sp_3', fork_point_step: 3, fork_trace_id: 'tr_2', message: null }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/forks': fork }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await forkApi<ForkAnswer>(options, '/api/v1/forks', { json: { trace_id: 'tr_1', span_id: 'sp_3' } }) // → fork
 * // Not 2xx: a ForkCommandError with the exit code the status means (404 → 2).
 * await forkApi(options, '/api/v1/forks/fk_9').catch((error: ForkCommandError) => error.exitCode) // → 2
 * server.close()
 */
export async function forkApi<T>(target: ServerTarget, path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const answer = await callServer(target, path, { method: init.method ?? (init.json === undefined ? 'GET' : 'POST'), ...(init.json === undefined ? {} : { json: init.json }) })
  if (answer.status >= 200 && answer.status < 300) return answer.body as T
  const message = errorMessage(answer.body) ?? `the server answered ${answer.status}`
  throw new ForkCommandError(message, answer.status === 400 ? EXIT.usage : answer.status >= 500 ? EXIT.unreachable : EXIT.missing)
}

/**
 * Runs a fork command: resolves the server target, runs `body`, and turns a
 * `ForkCommandError` into its message and exit code.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = {}
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await runForkCommand('forks get', options, terminal, async (target) => {
 *   await forkApi(target, '/api/v1/forks/fk_9')
 *   return 0
 * }) // → 2
 * terminal.stderr().startsWith('retrace forks get: ') // → true
 * server.close()
 */
export async function runForkCommand(name: string, options: ForkCommandOptions, terminal: Terminal, body: (target: ServerTarget) => Promise<ExitCode>): Promise<ExitCode> {
  const target = serverTarget(options, options.env)
  try {
    return await body(target)
  } catch (error) {
    if (!(error instanceof ForkCommandError)) throw error
    terminal.err(`retrace ${name}: ${error.message}\n`)
    return error.exitCode
  }
}

/**
 * A fork's input from the flags: `--input` is text, `--input-json` any JSON value (an array
 * replaces every argument; see PROTOCOL.md §8).
 *
 * @example
 * inputFrom({ input: 'What about Oslo?' }) // → 'What about Oslo?'
 * inputFrom({ inputJson: '["Oslo", 2]' }) // → ['Oslo', 2]
 */
export function inputFrom(options: { input?: string | undefined; inputJson?: string | undefined }, required = true): unknown {
  if (options.input !== undefined && options.inputJson !== undefined) throw new UsageError('pass --input or --input-json, not both.')
  if (options.inputJson !== undefined) {
    try {
      return JSON.parse(options.inputJson)
    } catch (error) {
      throw new UsageError(`--input-json is not JSON (${(error as Error).message}).`)
    }
  }
  if (options.input === undefined && required) throw new UsageError('the new input is missing: pass --input "…" (text) or --input-json \'…\' (an object or an argument list).')
  return options.input
}

/**
 * The exit code a finished fork's status means: 0 completed, 8 no worker, 1 otherwise.
 *
 * @example
 * ;[exitForStatus('completed'), exitForStatus('no_worker'), exitForStatus('failed')] // → [0, 8, 1]
 */
export function exitForStatus(status: string): ExitCode {
  if (status === 'completed') return EXIT.pass
  if (status === 'no_worker') return EXIT.noWorker
  return EXIT.regression
}
