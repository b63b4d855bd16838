/** What the limiter is asked about: an API key (with its own limit, if set) or any other name. */
export type RateLimited = string | { id: string; rateLimit: number | null }

/**
 * A token bucket per API key: `perSecond` requests a second on average, bursts up to one
 * second's worth. A key's own `rateLimit` replaces the default (0: no limit for it). Per
 * process: the buckets live in this process's memory, so with several server processes
 * each applies the limit on its own (a key may make `perSecond` requests on each).
 *
 * @example
 * let clock = 0
 * const limiter = createRateLimiter(2, () => clock)
 * // 0 when allowed, else the seconds to wait:
 * ;[limiter.take('key_1'), limiter.take('key_1'), limiter.take('key_1') > 0] // → [0, 0, true]
 * clock += 1000
 * limiter.take('key_1') // → 0
 * // A key with its own limit (from the key's record) overrides the server's.
 * limiter.take({ id: 'key_2', rateLimit: 1 }) // → 0
 */
export function createRateLimiter(perSecond: number, now: () => number = () => performance.now()) {
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
    take(subject: RateLimited): number {
      const id = typeof subject === 'string' ? subject : subject.id
      const limit = typeof subject === 'string' ? perSecond : (subject.rateLimit ?? perSecond)
      if (limit <= 0) return 0
      const time = now()
      const bucket = buckets.get(id) ?? { tokens: limit, at: time }
      bucket.tokens = Math.min(limit, bucket.tokens + ((time - bucket.at) / 1000) * limit)
      bucket.at = time
      buckets.set(id, bucket)
      if (buckets.size > 100_000) buckets.clear()
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return 0
      }
      return Math.max(0.001, (1 - bucket.tokens) / limit)
    },
  }
}

export type RateLimiter = ReturnType<typeof createRateLimiter>
