import type { SseEvent } from '../schema/body.ts'

/** The fields of an event that reach the wire (a stored event's `t` does not). */
export type SseEventFields = Pick<SseEvent, 'comment' | 'event' | 'id' | 'retry' | 'data' | 'text'>

/**
 * Writes one server-sent event in `text/event-stream` framing: the one SSE writer of Retrace,
 * for replayed streams, re-framed recorded streams, exports, and the fake provider. `data`
 * (JSON) is serialised, `text` is sent as is; a multi-line payload becomes one `data:` line
 * per line. Gemini frames its events with CRLF, the other providers with LF.
 *
 * @example
 * serializeSseEvent({ event: 'ping', data: { type: 'ping' } })  // 'event: ping\ndata: {"type":"ping"}\n\n'
 * serializeSseEvent({ text: '[DONE]' }, '\r\n')                  // 'data: [DONE]\r\n\r\n'
 */
export function serializeSseEvent(event: SseEventFields, lineEnding: '\n' | '\r\n' = '\n'): string {
  let out = ''
  if (event.comment !== undefined) out += `: ${event.comment}${lineEnding}`
  if (event.event !== undefined) out += `event: ${event.event}${lineEnding}`
  if (event.id !== undefined) out += `id: ${event.id}${lineEnding}`
  if (event.retry !== undefined) out += `retry: ${event.retry}${lineEnding}`
  const data = event.data !== undefined ? JSON.stringify(event.data) : event.text
  if (data !== undefined) for (const line of data.split('\n')) out += `data: ${line}${lineEnding}`
  // A comment-only entry is a keep-alive line; it needs no blank line to dispatch.
  return out === '' || data !== undefined || event.event !== undefined ? `${out}${lineEnding}` : out
}
