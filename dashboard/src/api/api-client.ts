/**
 * An API answer that was not 2xx, with the server's `{ error: { code, message } }`.
 *
 * @example
 * const error = new ApiCallError(403, 'forbidden', 'This key cannot share traces.')
 * ;[error.name, error.status, error.code] // → ['ApiCallError', 403, 'forbidden']
 */
export class ApiCallError extends Error {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiCallError'
    this.status = status
    this.code = code
  }
}

/** Told when a signed-in call answers 401 (the key was revoked, or the cookie expired). */
let onUnauthorized: () => void = () => {}

/**
 * Sets what happens when a call answers 401.
 *
 * @example
 * import { createServer } from 'node:http'
 * const server = createServer((_request, response) => response.writeHead(401).end())
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * let signedOut = false
 * setUnauthorizedHandler(() => (signedOut = true))
 * await api(`http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/traces`).catch(() => {})
 * signedOut // → true
 * setUnauthorizedHandler(() => {})
 * server.close()
 */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler
}

export interface ApiCallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  body?: unknown
  signal?: AbortSignal
  /** Do not report a 401 (sign-in itself, and the shared page, which has no session). */
  quiet401?: boolean
}

/**
 * Calls the Retrace API from the page. The key travels in the httpOnly sign-in cookie, never
 * in script; every write carries `x-retrace-csrf`, which the server requires of cookie calls.
 *
 * @example
 * import { createServer } from 'node:http'
 * // A stand-in for the Retrace server; in the page, paths are relative to its origin.
 * const server = createServer((request, response) => {
 *   const found = request.url === '/api/v1/traces?limit=50'
 *   response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
 *   response.end(JSON.stringify(found ? { traces: [{ id: 'tr_1' }] } : { error: { code: 'not_found', message: 'No such trace.' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
 * const { traces } = await api<{ traces: Array<{ id: string }> }>(`${origin}/api/v1/traces?limit=50`)
 * traces // → [{ id: 'tr_1' }]
 * const failed = await api(`${origin}/api/v1/traces/tr_9`).catch((error: ApiCallError) => error)
 * ;[failed.status, failed.code, failed.message] // → [404, 'not_found', 'No such trace.']
 * server.close()
 */
export async function api<T>(path: string, options: ApiCallOptions = {}): Promise<T> {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = { accept: 'application/json' }
  if (method !== 'GET') headers['x-retrace-csrf'] = '1'
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiCallError(0, 'unreachable', 'The Retrace server cannot be reached. Is it running?')
  }
  const text = await response.text()
  let body: unknown
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = text
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error
    if (response.status === 401 && !options.quiet401) onUnauthorized()
    throw new ApiCallError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? `The server answered ${response.status}.`)
  }
  return body as T
}

/**
 * A query string from the defined values.
 *
 * @example
 * query({ limit: 50, cursor: undefined }) // → '?limit=50'
 * query({ cursor: null }) // → ''
 */
export function query(values: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value))
  const text = params.toString()
  return text ? `?${text}` : ''
}

/**
 * The message to show for a failed call.
 *
 * @example
 * errorText(new ApiCallError(404, 'not_found', 'No such trace.')) // → 'No such trace.'
 * errorText('offline') // → 'offline'
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiCallError) return error.message
  if (error instanceof Error) return error.message
  return String(error)
}

const prefetched = new Map<string, Promise<unknown>>()

/**
 * Starts a GET as the page boots, before the sign-in check answers, so a deep link to a big
 * trace does not wait for two round trips in a row. `takePrefetched` hands it over once.
 *
 * @example
 * import { createServer } from 'node:http'
 * // A stand-in for the Retrace server; in the page, paths are relative to its origin.
 * const server = createServer((request, response) => {
 *   const found = request.url === '/api/v1/traces?limit=50'
 *   response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
 *   response.end(JSON.stringify(found ? { traces: [{ id: 'tr_1' }] } : { error: { code: 'not_found', message: 'No such trace.' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
 * prefetch(`${origin}/api/v1/traces?limit=50`)
 * await takePrefetched(`${origin}/api/v1/traces?limit=50`) // → { traces: [{ id: 'tr_1' }] }
 * takePrefetched(`${origin}/api/v1/traces?limit=50`) // → undefined
 * server.close()
 */
export function prefetch(path: string): void {
  const call = api(path, { quiet401: true })
  call.catch(() => {})
  prefetched.set(path, call)
}

/**
 * The prefetched answer for `path` (once), or undefined.
 *
 * @example
 * takePrefetched('/api/v1/traces/never-prefetched') // → undefined
 */
export function takePrefetched<T>(path: string): Promise<T> | undefined {
  const call = prefetched.get(path)
  prefetched.delete(path)
  return call as Promise<T> | undefined
}
