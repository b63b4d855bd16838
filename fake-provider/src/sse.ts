/** Server-sent events as the providers frame them. */

export interface SseEvent {
  /** The `event:` field; OpenAI Chat and Gemini send none. */
  readonly event?: string
  /** The `data:` payload, already serialised (one line). */
  readonly data: string
}

/**
 * An SSE event whose data is the JSON serialisation of `payload`.
 *
 * @example
 * jsonEvent({ type: 'ping' }, 'ping') // { event: 'ping', data: '{"type":"ping"}' }
 */
export function jsonEvent(payload: unknown, event?: string): SseEvent {
  const data = JSON.stringify(payload)
  return event === undefined ? { data } : { event, data }
}

/**
 * Frames one event for the wire. Gemini separates events with CRLF, the others with LF.
 *
 * @example
 * encodeSseEvent({ data: '[DONE]' }) // 'data: [DONE]\n\n'
 */
export function encodeSseEvent(event: SseEvent, lineEnding: '\n' | '\r\n' = '\n'): string {
  const eventLine = event.event === undefined ? '' : `event: ${event.event}${lineEnding}`
  return `${eventLine}data: ${event.data}${lineEnding}${lineEnding}`
}
