import { describe, expect, test } from 'vitest'
import type { SseEvent } from '@retrace/cassettes'
import { parseSseText } from '@retrace/core/internal'
import { spreadOffsets, sseText } from '../../src/interop/sse-text.ts'

describe('sseText', () => {
  test('is what parseSseText reads back, event for event', () => {
    const events: SseEvent[] = [
      { t: 0, comment: 'hello' },
      { t: 1, event: 'delta', id: '1', data: { text: 'multi\nline' } },
      { t: 2, text: 'two\nlines' },
      { t: 3, text: '' },
      { t: 4, retry: 10 },
      { t: 5, text: '[DONE]' },
    ]
    const back = parseSseText(sseText(events))
    expect(back).toEqual(events.map((event) => ({ ...event, t: 0 })))
  })
})

describe('spreadOffsets', () => {
  test('spreads events evenly from 0 to the duration', () => {
    const events: SseEvent[] = [{ t: 0, text: 'a' }, { t: 0, text: 'b' }, { t: 0, text: 'c' }]
    expect(spreadOffsets(events, 100).map((event) => event.t)).toEqual([0, 50, 100])
    expect(spreadOffsets(events.slice(0, 1), 100).map((event) => event.t)).toEqual([0])
  })
})
