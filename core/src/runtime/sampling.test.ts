import { randomUUID } from 'node:crypto'
import { expect, test } from 'vitest'
import { isSampled } from './sampling.ts'

test('10% means 10% of runs, decided per trace, deterministically', () => {
  const ids = Array.from({ length: 10_000 }, () => randomUUID())
  const kept = ids.filter((id) => isSampled(id, 0.1, 'seed')).length
  expect(kept).toBeGreaterThan(900)
  expect(kept).toBeLessThan(1100)
  // The same trace gets the same answer every time; another seed draws differently.
  expect(ids.slice(0, 100).map((id) => isSampled(id, 0.1, 'seed'))).toEqual(ids.slice(0, 100).map((id) => isSampled(id, 0.1, 'seed')))
  expect(ids.filter((id) => isSampled(id, 0.1, 'other')).length).not.toBe(kept)
  expect(isSampled('x', 1)).toBe(true)
  expect(isSampled('x', 0)).toBe(false)
})
