import { RetraceError } from '@retrace/cassettes'
import { DEFAULT_BASE_URL } from '@retrace/core/internal'
import { UsageError } from '../usage-error.ts'

/**
 * The Retrace server could not be reached, or refused the API key: exit 6. The message says
 * which and what to check.
 *
 * @example
 * throw new ServerUnreachableError('cannot reach http://127.0.0.1:8787 (ECONNREFUSED): is `retrace server` running?')
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
 * const target = serverTarget({ baseUrl: options.baseUrl, apiKey: options.apiKey }, process.env)
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
 * const answer = await callServer(target, '/api/v1/cassettes', { method: 'POST', json: body })
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

/** The message of an `{ "error": { "code", "message" } }` answer. */
export function errorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown } } | null)?.error
  return typeof error?.message === 'string' ? error.message : undefined
}

/** The code of an `{ "error": { "code", "message" } }` answer. */
export function errorCode(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown } } | null)?.error
  return typeof error?.code === 'string' ? error.code : undefined
}
