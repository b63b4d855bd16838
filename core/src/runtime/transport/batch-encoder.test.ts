import { describe, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { createBackoff } from './backoff.ts'
import { encodeBatches, traceIdOf } from './batch-encoder.ts'

const AT = new Date(0).toISOString()
const TOTALS = { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 0 }
const marker = (n: number, padding = ''): WireEvent => ({ type: 'trace.lossy', id: `e${n}${padding}`, lossy: { traceId: 't' } })

function options(overrides: Partial<Parameters<typeof encodeBatches>[1]> = {}): Parameters<typeof encodeBatches>[1] {
  let seq = 0
  return { maxEvents: 500, maxBytes: 1 << 20, nextId: () => `b${++seq}`, isLossy: () => false, onUnserializable: () => {}, ...overrides }
}

describe('encodeBatches', () => {
  test('one JSON line per batch, the bytes the journal and both channels share', () => {
    const [batch] = encodeBatches([marker(1), marker(2)], options())
    expect(batch!.frame.toString().endsWith('\n')).toBe(true)
    expect(JSON.parse(batch!.frame.toString())).toEqual({ type: 'batch', batchId: 'b1', events: [marker(1), marker(2)] })
    expect(batch!.eventCount).toBe(2)
  })

  test('cuts by event count and by bytes; an oversized event gets a batch of its own', () => {
    expect(encodeBatches(Array.from({ length: 7 }, (_, n) => marker(n)), options({ maxEvents: 3 })).map((batch) => batch.eventCount)).toEqual([3, 3, 1])
    const big = marker(9, 'x'.repeat(2_000))
    const batches = encodeBatches([marker(1), marker(2), big, marker(3)], options({ maxBytes: 1_000 }))
    expect(batches.map((batch) => batch.events.map((event) => event.id))).toEqual([['e1', 'e2'], [big.id], ['e3']])
  })

  test('a trace.end of a trace known to be lossy is sent with lossy: true', () => {
    const end: WireEvent = { type: 'trace.end', id: 't:end', trace: { id: 't', endedAt: AT, status: 'completed', totals: TOTALS } }
    const [batch] = encodeBatches([end], options({ isLossy: (id) => id === 't' }))
    expect(JSON.parse(batch!.frame.toString()).events[0].trace.lossy).toBe(true)
    expect(end).not.toHaveProperty('trace.lossy') // the caller's object is untouched
  })

  test('traceIdOf names the trace of every event kind', () => {
    expect(traceIdOf({ type: 'trace.start', id: 'x:start', trace: { id: 'x', name: 'n', startedAt: AT } })).toBe('x')
    expect(traceIdOf(marker(1))).toBe('t')
    expect(traceIdOf(null as unknown as WireEvent)).toBeUndefined()
  })
})

describe('createBackoff', () => {
  test('grows exponentially to the cap, with jitter below the ceiling, and resets', () => {
    const max = createBackoff({ initialDelayMs: 100, maxDelayMs: 500, jitter: 0.5 }, () => 0)
    expect([max.next(), max.next(), max.next(), max.next()]).toEqual([100, 200, 400, 500])
    const min = createBackoff({ initialDelayMs: 100, maxDelayMs: 500, jitter: 0.5 }, () => 1)
    expect([min.next(), min.next()]).toEqual([50, 100])
    min.reset()
    expect(min.attempts).toBe(0)
    expect(min.next()).toBe(50)
  })
})
