import { RetraceError } from '@retrace/cassettes'
import { DEFAULT_BASE_URL } from '@retrace/core/internal'
import { UsageError } from '../usage-error.ts'

/**
 * The Retrace server could not be reached, or refused the API key: exit 6. The message says
 * which and what to check.
 *
 * @example
 * const error = new ServerUnreachableError('cannot reach http://127.0.0.1:8787 (ECONNREFUSED): is `retrace server` running?')
 * error.code // → 'RETRACE_SERVER_UNREACHABLE'
 */
export class ServerUnreachableError extends RetraceError {
  constructor(message: string) {
    super('RETRACE_SERVER_UNREACHABLE', message)
  }
}

/** Where the server is and the key to use, as for the SDK. */
export interface ServerTarget {
  baseUrl: string
  apiKey: string
}

/**
 * The base URL (`--base-url`, else `RETRACE_BASE_URL`, else the SDK's default
 * http://127.0.0.1:8787) and API key (`--api-key`, else `RETRACE_API_KEY`; required).
 *
 * @example
 * import assert from 'node:assert/strict'
 * import { UsageError } from '../usage-error.ts'
 * serverTarget({ apiKey: 'rt_example_key' }, {}) // → { baseUrl: 'http://127.0.0.1:8787', apiKey: 'rt_example_key' }
 * serverTarget({}, { RETRACE_BASE_URL: 'https://retrace.example.com/', RETRACE_API_KEY: 'rt_example_key' })
 * // → { baseUrl: 'https://retrace.example.com', apiKey: 'rt_example_key' }
 * assert.throws(() => serverTarget({}, {}), UsageError)
 */
export function serverTarget(options: { baseUrl?: string | undefined; apiKey?: string | undefined }, env: NodeJS.ProcessEnv = process.env): ServerTarget {
  const baseUrl = (options.baseUrl ?? env.RETRACE_BASE_URL?.trim() ?? DEFAULT_BASE_URL).replace(/\/+$/, '')
  const apiKey = options.apiKey ?? env.RETRACE_API_KEY?.trim()
  if (!apiKey) throw new UsageError('no API key: set RETRACE_API_KEY (or pass --api-key); `retrace server` prints one on its first start.')
  try {
    const url = new URL(baseUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)')
  } catch {
    throw new UsageError(`the base URL "${baseUrl}" is not an http(s) URL: set RETRACE_BASE_URL (or --base-url) to e.g. http://127.0.0.1:8787.`)
  }
  return { baseUrl, apiKey }
}

/** A JSON answer from the server: its status and parsed body (null when not JSON). */
export interface ServerAnswer {
  status: number
  body: unknown
  text: string
}

/**
 * Calls the server's API with the key. Network failures and refused keys (401/403) are
 * `ServerUnreachableError`s; other statuses are returned for the caller to judge.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/cassettes': { trace_id: 'tr_1' } }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * const answer = await callServer(options, '/api/v1/cassettes', { method: 'POST', json: { cassette: { version: 1, interactions: [] } } })
 * ;[answer.status, answer.body] // → [200, { trace_id: 'tr_1' }]
 * server.close()
 * // Nobody listening: a ServerUnreachableError (exit 6).
 * await callServer(options, '/api/v1/cassettes').catch((error: ServerUnreachableError) => error.code) // → 'RETRACE_SERVER_UNREACHABLE'
 */
export async function callServer(target: ServerTarget, path: string, init: { method?: string; json?: unknown } = {}): Promise<ServerAnswer> {
  let response: Response
  try {
    response = await fetch(`${target.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-retrace-key': target.apiKey, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      signal: AbortSignal.timeout(120_000),
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message
    throw new ServerUnreachableError(`cannot reach the Retrace server at ${target.baseUrl} (${cause}): is it running? Start one with \`retrace server\`, or set RETRACE_BASE_URL.`)
  }
  const text = await response.text()
  let body: unknown = null
  try {
    body = JSON.parse(text)
  } catch {
    body = null
  }
  if (response.status === 401 || response.status === 403) {
    throw new ServerUnreachableError(`the server at ${target.baseUrl} refused the API key (${response.status}: ${errorMessage(body) ?? 'no detail'}): check RETRACE_API_KEY.`)
  }
  return { status: response.status, body, text }
}

/**
 * The message of an `{ "error": { "code", "message" } }` answer.
 *
 * @example
 * errorMessage({ error: { code: 'not_found', message: 'no trace tr_9' } }) // → 'no trace tr_9'
 * errorMessage('<html>Bad gateway</html>') // → undefined
 */
export function errorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown } } | null)?.error
  return typeof error?.message === 'string' ? error.message : undefined
}

/**
 * The code of an `{ "error": { "code", "message" } }` answer.
 *
 * @example
 * errorCode({ error: { code: 'secret_found', message: 'a key in $.interactions[0]' } }) // → 'secret_found'
 * errorCode(null) // → undefined
 */
export function errorCode(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown } } | null)?.error
  return typeof error?.code === 'string' ? error.code : undefined
}
