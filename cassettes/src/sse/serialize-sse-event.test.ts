import { describe, expect, test } from 'vitest'
import { serializeSseEvent } from './serialize-sse-event.ts'

describe('serializeSseEvent', () => {
  test('JSON data is serialised, text is sent as is, one data line per line', () => {
    expect(serializeSseEvent({ event: 'ping', data: { type: 'ping' } })).toBe('event: ping\ndata: {"type":"ping"}\n\n')
    expect(serializeSseEvent({ text: 'two\nlines' })).toBe('data: two\ndata: lines\n\n')
    expect(serializeSseEvent({ id: '7', retry: 10, text: '[DONE]' })).toBe('id: 7\nretry: 10\ndata: [DONE]\n\n')
  })

  test('a comment alone is a keep-alive line, without the blank line that dispatches an event', () => {
    expect(serializeSseEvent({ comment: 'keep-alive' })).toBe(': keep-alive\n')
  })

  test('CRLF framing, as Gemini sends it', () => {
    expect(serializeSseEvent({ event: 'chunk', text: '{"a":1}' }, '\r\n')).toBe('event: chunk\r\ndata: {"a":1}\r\n\r\n')
  })
})
