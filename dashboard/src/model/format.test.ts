import { expect, test } from 'vitest'
import { formatCount, formatDelta, formatDuration, formatTime, formatUsd } from './format.ts'

test('costs keep three significant digits in plain decimals, however small', () => {
  expect(formatUsd(0.0000525)).toBe('$0.0000525')
  expect(formatUsd(9e-7)).toBe('$0.0000009')
  expect(formatUsd(-0.0000009)).toBe('-$0.0000009')
  expect(formatUsd(0.0123456)).toBe('$0.0123')
  expect(formatUsd(12.345)).toBe('$12.35')
  expect(formatUsd(0)).toBe('$0')
  expect(formatUsd(null)).toBe('—')
})

test('durations, counts, deltas and times read short', () => {
  expect(formatDuration(0)).toBe('0 ms')
  expect(formatDuration(0.5)).toBe('0.50 ms')
  expect(formatDuration(1530)).toBe('1.53 s')
  expect(formatDuration(61_000)).toBe('1 min 1 s')
  expect(formatCount(1234567)).toBe('1,234,567')
  expect(formatDelta(-3, formatCount)).toBe('−3')
  expect(formatDelta(0, formatCount)).toBe('±0')
  expect(formatDelta(0.0000009, formatUsd)).toBe('+$0.0000009')
  expect(formatTime('2026-03-01T10:00:00.000Z')).toMatch(/^2026-03-0[12] \d\d:\d\d:00$/)
  expect(formatTime('not a time')).toBe('not a time')
})
