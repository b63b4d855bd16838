/**
 * How replayed responses are paced: `instant` (default) serves everything at once, keeping
 * event boundaries; `recorded` waits the recorded gaps (headers latency, then each event's
 * offset) divided by `speed` (2 = twice as fast).
 */
export interface ReplayTiming {
  timing: 'instant' | 'recorded'
  speed: number
}

/**
 * Resolves after `ms` milliseconds (immediately for 0), or rejects when `signal` aborts.
 *
 * @example
 * await delay(5)
 * const stop = new AbortController()
 * setTimeout(() => stop.abort(new Error('stopped')), 5)
 * await delay(60_000, stop.signal).catch((error: Error) => error.message) // → 'stopped'
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
