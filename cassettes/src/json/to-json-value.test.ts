import { expect, test } from 'vitest'
import { toJsonValue } from './to-json-value.ts'

class Booking {
  readonly id: string
  readonly price: number
  constructor(id: string, price: number) {
    this.id = id
    this.price = price
  }
}

test('keeps what JSON cannot hold, visibly, instead of dropping it', () => {
  const cyclic: Record<string, unknown> = { name: 'loop' }
  cyclic.self = cyclic
  expect(
    toJsonValue({
      big: 12345678901234567890n,
      when: new Date('2026-01-02T03:04:05Z'),
      booking: new Booking('BK-1', 99.5),
      tags: new Set(['a', 'b']),
      index: new Map([['k', 1]]),
      error: Object.assign(new TypeError('bad input'), { code: 'E_BAD' }),
      nan: Number.NaN,
      missing: undefined,
      fn: function plan() {},
      cyclic,
    }),
  ).toEqual({
    big: '12345678901234567890n',
    when: '2026-01-02T03:04:05.000Z',
    booking: { id: 'BK-1', price: 99.5 },
    tags: ['a', 'b'],
    index: [['k', 1]],
    error: { name: 'TypeError', message: 'bad input', code: 'E_BAD' },
    nan: 'NaN',
    fn: '[Function plan]',
    cyclic: { name: 'loop', self: '[Circular]' },
  })
})

test('a value reached twice without a cycle is kept both times', () => {
  const shared = { x: 1 }
  expect(toJsonValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } })
  expect(toJsonValue(undefined)).toBeNull()
})
