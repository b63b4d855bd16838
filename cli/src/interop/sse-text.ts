import type { JsonValue, SseEvent } from '@retrace/cassettes'
import { serializeSseEvent, sseEvent } from '@retrace/core'

/**
 * Splits a `text/event-stream` body into events the way the recorder stores them (all at
 * `t: 0`; see {@link spreadOffsets}): `data` when the payload is a JSON object or array,
 * `text` otherwise, comments and `retry` lines as entries of their own. A last event without
 * its closing blank line is kept, as SDK parsers deliver it.
 *
 * @example
 * parseSseText('data: {"a":1}\n\ndata: [DONE]\n\n') // → [{ t: 0, data: { a: 1 } }, { t: 0, text: '[DONE]' }]
 */
export function parseSseText(text: string): SseEvent[] {
  const events: SseEvent[] = []
  let data: string[] = []
  let type: string | undefined
  let id: string | undefined
  const dispatch = (): void => {
    if (data.length > 0) events.push(sseEvent(0, { data: data.join('\n'), event: type, id }))
    data = []
    type = undefined
    id = undefined
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === '') {
      dispatch()
      continue
    }
    if (line.startsWith(':')) {
      events.push({ t: 0, comment: line.slice(1).trim() })
      continue
    }
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') data.push(value)
    else if (field === 'event') type = value || undefined
    else if (field === 'id' && !value.includes('\0')) id = value
    else if (field === 'retry' && /^\d+$/.test(value)) events.push({ t: 0, retry: Number(value) })
  }
  dispatch()
  return events
}

/**
 * The stream's bytes as replay serves them: every event in `text/event-stream` framing.
 *
 * @example
 * sseText([{ t: 0, data: { a: 1 } }]) // → 'data: {"a":1}\n\n'
 */
export function sseText(events: readonly SseEvent[]): string {
  return events.map(serializeSseEvent).join('')
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

