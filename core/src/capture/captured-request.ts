import { UNSTORED_HEADERS, type RecordedRequest } from '@retrace/cassettes'
import { storeBody } from '../recording/body-codec.ts'
import type { Redaction } from '../redaction/redactor.ts'

/**
 * A request as any transport hands it over: header names lower-cased (repeats joined with
 * `, `), the body as sent. Transports build this cheaply; nothing is parsed yet.
 */
export interface CapturedRequest {
  method: string
  url: string
  headers: Record<string, string>
  body: string | Uint8Array | undefined
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The stored, redacted form of a captured request. The body is parsed first and redacted as
 * stored, by the same walk a stored request gets when a cassette is loaded, so the live
 * request and the recorded one always produce the same match key. `keepHeaders` limits the headers kept (replay needs only those that take part in matching).
 *
 * @example
 * import { createRedactor } from '../redaction/redactor.ts'
 * const request = toRecordedRequest(
 *   { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' }, body: '{"model":"gpt-4o"}' },
 *   createRedactor(),
 * )
 * request.body // → { json: { model: 'gpt-4o' } }
 * request.headers.authorization // → '[REDACTED]'
 */
export function toRecordedRequest(captured: CapturedRequest, redaction: Redaction, keepHeaders: readonly string[] | 'all' = 'all'): RecordedRequest {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(captured.headers)) {
    // SDK telemetry (x-stainless-os, -retry-count, x-goog-api-client, …) changes with SDK and
    // Node upgrades and with retries: it would churn every re-recorded cassette.
    if (UNSTORED_HEADERS.has(name) || name.startsWith('x-stainless-') || name === 'x-goog-api-client') continue
    if (keepHeaders === 'all' || keepHeaders.includes(name)) headers[name] = value
  }
  const request: RecordedRequest = {
    method: captured.method.toUpperCase(),
    url: redaction.url(captured.url),
    headers: redaction.headers(headers),
  }
  let raw: string | Uint8Array | undefined = captured.body
  if (raw instanceof Uint8Array) {
    try {
      raw = utf8.decode(raw)
    } catch {
      // binary: stored as base64, not scanned
    }
  }
  const body = raw === undefined ? undefined : storeBody(raw, captured.headers['content-type'])
  if (body) request.body = redaction.body(body)
  return request
}

/** The first argument of `fetch` (a URL string, a `URL` or a `Request`). */
export type FetchInput = Parameters<typeof fetch>[0]
/** What `new Headers(…)` accepts. */
export type FetchHeadersInit = ConstructorParameters<typeof Headers>[0]

/** Every shape headers arrive in: fetch `HeadersInit`, node:http objects, undici flat arrays. */
export type HeaderSource =
  | FetchHeadersInit
  | Record<string, string | readonly string[] | number | undefined>
  | ReadonlyArray<string | Buffer>
  | null
  | undefined

/**
 * Lower-cases header names and joins repeated headers, from any of the shapes transports use.
 *
 * @example
 * headerRecord(new Headers({ 'Content-Type': 'application/json' })) // → { 'content-type': 'application/json' }
 * headerRecord([['X-Tag', 'a'], ['x-tag', 'b']]) // → { 'x-tag': 'a, b' }
 */
export function headerRecord(headers: HeaderSource): Record<string, string> {
  const out: Record<string, string> = {}
  if (!headers) return out
  const add = (name: string, value: string) => {
    const key = name.toLowerCase()
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`
  }
  if (headers instanceof Headers) headers.forEach((value, name) => add(name, value))
  else if (Array.isArray(headers)) {
    const list: readonly unknown[] = headers
    if (typeof list[0] === 'string' || list[0] instanceof Uint8Array) {
      // Flat [name, value, name, value] (undici, node:http raw headers), strings or Buffers.
      for (let i = 0; i + 1 < list.length; i += 2) add(String(list[i]), String(list[i + 1]))
    } else for (const pair of list as ReadonlyArray<readonly unknown[]>) add(String(pair[0]), String(pair[1]))
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (value === undefined || value === null) continue
      if (Array.isArray(value)) for (const item of value) add(name, String(item))
      else add(name, String(value))
    }
  }
  return out
}
