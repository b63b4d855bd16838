import { serializeSseEvent, type SseEvent } from '@retrace/cassettes'

/**
 * The stream's bytes as replay serves them: every event in `text/event-stream` framing.
 *
 * @example
 * sseText([{ t: 0, data: { a: 1 } }]) // → 'data: {"a":1}\n\n'
 */
export function sseText(events: readonly SseEvent[]): string {
  return events.map((event) => serializeSseEvent(event)).join('')
}

/**
 * Gives events evenly spaced offsets over `durationMs` (first at 0, last at the end), for
 * sources that kept a stream's text but not when each event arrived.
 *
 * @example
 * spreadOffsets([{ t: 0, text: 'a' }, { t: 0, text: 'b' }], 100) // → [{ t: 0, text: 'a' }, { t: 100, text: 'b' }]
 */
export function spreadOffsets(events: readonly SseEvent[], durationMs: number): SseEvent[] {
  const span = Math.max(0, durationMs)
  const last = events.length - 1
  return events.map((event, index) => ({ ...event, t: last > 0 ? Math.round((span * index) / last) : 0 }))
}

