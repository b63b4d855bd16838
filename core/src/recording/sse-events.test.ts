import { describe, expect, test } from 'vitest'
import { parseSseText } from './sse-events.ts'

// Moved from the CLI's hand-written parser's tests: the one parser (eventsource-parser) must
// read a saved stream exactly as the CLI's imports expect.
describe('parseSseText', () => {
  test('JSON objects become data, anything else text, as the recorder stores them', () => {
    expect(parseSseText('data: {"a":1}\n\ndata: [DONE]\n\ndata: 42\n\n')).toEqual([{ t: 0, data: { a: 1 } }, { t: 0, text: '[DONE]' }, { t: 0, text: '42' }])
  })

  test('event names, ids, multi-line data, comments and retry lines', () => {
    const text = ': keep-alive\nretry: 3000\nevent: message_start\nid: 7\ndata: {"type":\ndata: "message_start"}\n\nevent: ping\ndata: not {json\n\n'
    expect(parseSseText(text)).toEqual([
      { t: 0, comment: 'keep-alive' },
      { t: 0, retry: 3000 },
      { t: 0, event: 'message_start', id: '7', data: { type: 'message_start' } },
      { t: 0, event: 'ping', text: 'not {json' },
    ])
  })

  test('CRLF line ends, a byte-order mark, and a last event without its blank line', () => {
    expect(parseSseText('\uFEFFdata: a\r\n\r\ndata: b')).toEqual([{ t: 0, text: 'a' }, { t: 0, text: 'b' }])
  })

  test('an event without data is not an event', () => {
    expect(parseSseText('event: ping\n\n')).toEqual([])
  })
})
