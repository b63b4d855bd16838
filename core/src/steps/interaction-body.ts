import type { Body, SseEvent } from '@retrace/cassettes'
import { tryParseJson } from './json-guards.ts'

/**
 * The JSON a stored body holds: `{ json }` as is, and `{ text }` when the text parses (a JSON
 * body recorded under a non-JSON content type). Streams and binary bodies have none.
 *
 * @example
 * jsonOfBody({ json: { model: 'gpt-4o' } }) // → { model: 'gpt-4o' }
 * jsonOfBody({ text: '{"a":1}' })           // → { a: 1 }
 * jsonOfBody({ text: 'hello' })             // → undefined
 */
export function jsonOfBody(body: Body | undefined): unknown {
  if (body === undefined) return undefined
  if ('json' in body) return body.json
  if ('text' in body) return tryParseJson(body.text)
  return undefined
}

/**
 * The server-sent events of a stored `{ sse }` body, or undefined for any other body.
 *
 * @example
 * sseEventsOfBody({ sse: [{ t: 0, data: { ok: true } }] }) // → [{ t: 0, data: { ok: true } }]
 */
export function sseEventsOfBody(body: Body | undefined): readonly SseEvent[] | undefined {
  return body !== undefined && 'sse' in body ? body.sse : undefined
}
