/**
 * A token bucket per API key: `perSecond` requests a second on average, bursts up to one
 * second's worth. Per process: with several server processes each applies it on its own.
 *
 * @example
 * let clock = 0
 * const limiter = createRateLimiter(2, () => clock)
 * // 0 when allowed, else the seconds to wait:
 * ;[limiter.take('key_1'), limiter.take('key_1'), limiter.take('key_1') > 0] // → [0, 0, true]
 * clock += 1000
 * limiter.take('key_1') // → 0
 */
export function createRateLimiter(perSecond: number, now: () => number = () => performance.now()) {
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
    take(key: string): number {
      if (perSecond <= 0) return 0
      const time = now()
      const bucket = buckets.get(key) ?? { tokens: perSecond, at: time }
      bucket.tokens = Math.min(perSecond, bucket.tokens + ((time - bucket.at) / 1000) * perSecond)
      bucket.at = time
      buckets.set(key, bucket)
      if (buckets.size > 100_000) buckets.clear()
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return 0
      }
      return Math.max(0.001, (1 - bucket.tokens) / perSecond)
    },
  }
}

export type RateLimiter = ReturnType<typeof createRateLimiter>
