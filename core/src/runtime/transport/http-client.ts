import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import { withoutInterception } from '../../capture/session-routing.ts'
import { API_KEY_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION } from '@retrace/protocol'

// The transport's own HTTP requests: run outside Retrace's interception (which would record
// them, or refuse them under RETRACE_BLOCK_EGRESS), on keep-alive sockets that never keep the
// process alive, with callbacks rather than promises so that nothing can reject unobserved.

/** Where and how to reach the Retrace API over HTTP. */
export interface HttpTarget {
  /** Base URL, without a trailing slash. */
  baseUrl: string
  apiKey: string
  /** Shared keep-alive agent (one per transport). */
  agent: http.Agent
}

/** How an HTTP exchange ended. */
export type HttpOutcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: 'network'; error: Error }

/**
 * A keep-alive agent for one base URL.
 *
 * @example
 * createAgent('https://api.retrace.dev').options.keepAlive // → true
 */
export function createAgent(baseUrl: string): http.Agent {
  const secure = new URL(baseUrl).protocol === 'https:'
  return secure ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 })
}

/**
 * POSTs a JSON body (already serialised) to `target.baseUrl + path` with the API key header,
 * and calls back exactly once with the response (read whole) or the network error.
 *
 * @example
 * import { createServer } from 'node:http'
 * import type { AddressInfo } from 'node:net'
 * const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ key: req.headers['x-retrace-key'] })))
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
 * const outcome = await new Promise((resolve) => postJson({ baseUrl, apiKey: 'rt_test', agent: createAgent(baseUrl) }, '/v1/events', Buffer.from('{}'), 2_000, resolve))
 * outcome // → { kind: 'response', status: 200, headers: (outcome as { headers: object }).headers, body: '{"key":"rt_test"}' }
 * server.close()
 */
export function postJson(target: HttpTarget, path: string, body: Buffer, timeoutMs: number, callback: (outcome: HttpOutcome) => void): void {
  let settled = false
  const finish = (outcome: HttpOutcome) => {
    if (settled) return
    settled = true
    callback(outcome)
  }
  try {
    const url = new URL(`${target.baseUrl}${path}`)
    const request = url.protocol === 'https:' ? https.request : http.request
    const req = withoutInterception(() =>
      request(url, {
        method: 'POST',
        agent: target.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          [API_KEY_HEADER]: target.apiKey,
          [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
        },
      }),
    )
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`No answer from ${url.origin} within ${timeoutMs} ms`)))
    // Unref after the agent (re)assigns the socket: an in-flight post never holds the process open.
    req.on('socket', (socket) => socket.unref())
    req.on('error', (error) => finish({ kind: 'network', error }))
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', (error) => finish({ kind: 'network', error }))
      res.on('end', () => finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.end(body)
  } catch (error) {
    finish({ kind: 'network', error: error instanceof Error ? error : new Error(String(error)) })
  }
}

/**
 * Seconds from a `retry-after` header (seconds or an HTTP date), or `fallback` when there is
 * none or it cannot be read.
 *
 * @example
 * import assert from 'node:assert/strict'
 * assert.equal(retryAfterSeconds('3', 1), 3)
 * assert.equal(retryAfterSeconds(undefined, 1), 1)
 * assert.equal(retryAfterSeconds('Thu, 01 Jan 1970 00:00:10 GMT', undefined, 4_000), 6)
 */
export function retryAfterSeconds<Fallback extends number | undefined>(value: string | string[] | undefined, fallback: Fallback, now: number = Date.now()): number | Fallback {
  const text = Array.isArray(value) ? value[0] : value
  if (!text) return fallback
  const seconds = Number(text)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds
  const date = Date.parse(text)
  return Number.isNaN(date) ? fallback : Math.max(0, (date - now) / 1000)
}
