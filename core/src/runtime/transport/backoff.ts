/** How long to wait between retries: exponential, capped, with jitter. */
export interface BackoffOptions {
  /** First delay, in milliseconds (default 500). */
  initialDelayMs?: number
  /** Cap on the delay, in milliseconds (default 30,000). */
  maxDelayMs?: number
  /** Growth per attempt (default 2). */
  multiplier?: number
  /**
   * Fraction of the delay that is random (default 0.5: a delay of d waits between d/2 and d),
   * so that many clients cut off by the same outage do not reconnect in lockstep.
   */
  jitter?: number
}

/** A retry schedule: each `next()` is longer than the last until `reset()`. */
export interface Backoff {
  /** The delay before the next attempt, in milliseconds. */
  next(): number
  /** Starts over from the initial delay (after a success). */
  reset(): void
  /** Attempts since the last reset. */
  readonly attempts: number
}

/**
 * Creates an exponential backoff with jitter.
 *
 * @example
 * // Each delay is jittered down to half of 100, 200, 400… ms; random() = 0 shows the longest.
 * const backoff = createBackoff({ initialDelayMs: 100, maxDelayMs: 5_000 }, () => 0)
 * backoff.next() // → 100
 * backoff.next() // → 200
 * backoff.next() // → 400
 * backoff.reset() // once connected
 * backoff.next() // → 100
 */
export function createBackoff(options: BackoffOptions = {}, random: () => number = Math.random): Backoff {
  const initial = options.initialDelayMs ?? 500
  const max = options.maxDelayMs ?? 30_000
  const multiplier = options.multiplier ?? 2
  const jitter = Math.min(Math.max(options.jitter ?? 0.5, 0), 1)
  let attempts = 0
  return {
    next() {
      const ceiling = Math.min(max, initial * multiplier ** attempts)
      attempts++
      return Math.round(ceiling * (1 - jitter * random()))
    },
    reset() {
      attempts = 0
    },
    get attempts() {
      return attempts
    },
  }
}
