import type { FetchInput } from './captured-request.ts'
import type { DispatchOptions } from './undici/dispatcher-types.ts'

// A live call made under a cassette (recording, an allowed or ignored host, passthrough)
// closes its connection once answered. Left kept-alive in the caller's pool (undici's global
// dispatcher), that socket would carry the next request to the same host straight to the
// server after the cassette stopped: msw and nock intercept connections as they open, so
// they would never see it. Costs one connection set-up per live call, next to a model's
// seconds of latency; the runtime SDK's production tracing (`observe`) keeps its connections.

/**
 * The init for a live fetch whose connection closes once the response ends
 * (`connection: close`, which undici turns into its `reset` dispatch option).
 *
 * @example
 * const init = closingFetchInit('https://api.example.com/', { method: 'POST', headers: { 'x-tag': 'a' } })
 * init.method // → 'POST'
 * new Headers(init.headers).get('connection') // → 'close'
 */
export function closingFetchInit(input: FetchInput, init: RequestInit | undefined): RequestInit {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
  headers.set('connection', 'close')
  return { ...init, headers }
}

/**
 * Dispatch options whose connection closes once the response ends (undici's `reset`).
 *
 * @example
 * closingDispatch({ origin: 'https://api.example.com', path: '/', method: 'GET' }) // → { origin: 'https://api.example.com', path: '/', method: 'GET', reset: true }
 */
export function closingDispatch(options: DispatchOptions): DispatchOptions {
  return { ...options, reset: true }
}
