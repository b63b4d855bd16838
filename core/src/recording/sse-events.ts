import { createParser, type EventSourceParser } from 'eventsource-parser'
import { jsonDepthExceeds, type JsonValue, type SseEvent } from '@retrace/cassettes'

/**
 * A `text/event-stream` parser (eventsource-parser, which the provider SDKs use too) that
 * turns each event, comment and `retry` line into a stored event, timed by `at()`. The one SSE
 * parser of Retrace: recording, and imports of streams other tools saved as text.
 *
 * @example
 * const events: SseEvent[] = []
 * const parser = storedEventParser(() => 0, (event) => events.push(event))
 * parser.feed('data: {"a":1}\n\n') // events: [{ t: 0, data: { a: 1 } }]
 */
export function storedEventParser(at: () => number, add: (event: SseEvent) => void): EventSourceParser {
  return createParser({
    onEvent: (message) => add(sseEvent(at(), message)),
    onComment: (comment) => add({ t: at(), comment: comment.trim() }),
    onRetry: (retry) => add({ t: at(), retry }),
  })
}

/**
 * Ends a stream that ended cleanly: its last event counts even without the closing blank line,
 * as the provider SDKs deliver it (eventsource-parser alone would drop it).
 *
 * @example
 * parser.feed('data: [DONE]')
 * endSseStream(parser) // the parser dispatches { data: '[DONE]' }
 */
export function endSseStream(parser: EventSourceParser): void {
  parser.feed('\n\n')
  parser.reset()
}

/**
 * Splits a whole `text/event-stream` body into events the way the recorder stores them, all
 * at `t: 0`: `data` when the payload is a JSON object or array, `text` otherwise, comments and
 * `retry` lines as entries of their own. A last event without its closing blank line is kept,
 * as SDK parsers deliver it.
 *
 * @example
 * parseSseText('data: {"a":1}\n\ndata: [DONE]\n\n') // [{ t: 0, data: { a: 1 } }, { t: 0, text: '[DONE]' }]
 */
export function parseSseText(text: string): SseEvent[] {
  const events: SseEvent[] = []
  const parser = storedEventParser(() => 0, (event) => events.push(event))
  // Decoding strips a byte-order mark before the parser sees the text (TextDecoder does when
  // recording); text read some other way may still start with one.
  parser.feed(text.startsWith('\uFEFF') ? text.slice(1) : text)
  endSseStream(parser)
  return events
}

/**
 * A parsed server-sent event as stored: JSON objects and arrays become `data` (readable in a
 * diff), anything else stays `text` (OpenAI's `[DONE]`, or JSON nested too deep to store).
 *
 * @example
 * sseEvent(12, { event: 'ping', data: '{"type":"ping"}' }) // { t: 12, event: 'ping', data: { type: 'ping' } }
 */
export function sseEvent(t: number, message: { id?: string | undefined; event?: string | undefined; data: string }): SseEvent {
  const event: SseEvent = { t }
  if (message.event !== undefined) event.event = message.event
  if (message.id !== undefined) event.id = message.id
  const data = message.data
  if (/^\s*[[{]/.test(data)) {
    try {
      const json = JSON.parse(data) as JsonValue
      // Nested too deep to store as JSON: the text is kept, and replays the same.
      if (!jsonDepthExceeds(json)) {
        event.data = json
        return event
      }
    } catch {
      // not JSON after all: keep it as text
    }
  }
  event.text = data
  return event
}
