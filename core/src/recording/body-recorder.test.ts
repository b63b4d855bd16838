import { describe, expect, test } from 'vitest'
import { BodyRecorder } from './body-recorder.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('BodyRecorder', () => {
  test('a stream that ends cleanly keeps its last event, even without the closing blank line', () => {
    const recorder = new BodyRecorder('text/event-stream', performance.now())
    recorder.chunk(bytes('data: {"a":1}\n\ndata: {"b":2}'))
    expect(recorder.finish().body).toEqual({ sse: [expect.objectContaining({ data: { a: 1 } }), expect.objectContaining({ data: { b: 2 } })] })
  })

  test('a stream cut short does not turn its half-received last line into an event', () => {
    const recorder = new BodyRecorder('text/event-stream', performance.now())
    recorder.chunk(bytes('data: {"a":1}\n\ndata: {"b":'))
    recorder.fail('aborted', new Error('socket hang up'))
    const { body, end } = recorder.finish()
    expect(body).toEqual({ sse: [expect.objectContaining({ data: { a: 1 } })] })
    expect(end).toMatchObject({ outcome: 'aborted', message: 'socket hang up' })
  })
})
