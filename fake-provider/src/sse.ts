/** Server-sent events as the providers send them (framed by `serializeSseEvent` of @retrace/cassettes). */

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
