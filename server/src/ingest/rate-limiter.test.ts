import { expect, test } from 'vitest'
import { createRateLimiter } from './rate-limiter.ts'

test('a key’s own limit replaces the default, 0 lifts it, null keeps the default; buckets refill over time, one per key', () => {
  let now = 0
  const limiter = createRateLimiter(3, () => now)
  const key = (id: string, rateLimit: number | null) => ({ id, rateLimit })
  const burst = (subject: Parameters<typeof limiter.take>[0], times: number) => Array.from({ length: times }, () => limiter.take(subject))
  // Default: 3 per second, a burst of 3.
  expect(burst(key('default', null), 4).map((wait) => wait > 0)).toEqual([false, false, false, true])
  // Its own limit of 1: the second request in the same instant waits a second.
  expect(burst(key('slow', 1), 2)).toEqual([0, 1])
  // 0: never limited.
  expect(burst(key('free', 0), 50).every((wait) => wait === 0)).toBe(true)
  // Raised to 10: the bucket grows to the new limit as it refills.
  now += 1000
  expect(burst(key('slow', 10), 10).every((wait) => wait === 0)).toBe(true)
  expect(limiter.take(key('slow', 10))).toBeGreaterThan(0)
  // Names that are not keys (share links) get the default.
  expect(burst('share:l1', 4).map((wait) => wait > 0)).toEqual([false, false, false, true])
})
