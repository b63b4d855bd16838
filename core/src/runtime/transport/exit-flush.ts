/** What triggered an exit flush. */
export type ExitReason = 'beforeExit' | 'SIGTERM' | 'SIGINT' | 'exit'

/** What the exit handling needs of a transport. */
export interface ExitFlushTarget {
  flush(timeoutMs: number, options: { untilUnreachable: boolean }): Promise<unknown>
  persist(): void
  readonly stats: { readonly sent: number; readonly pending: number }
}

export interface ExitFlushOptions {
  /** How long an exit may wait for acknowledgements (default 2,000 ms); the rest stays in the journal. */
  timeoutMs?: number
  /**
   * Runs first, synchronously: the place to end traces still open with `terminatedEarly`.
   * May run more than once (e.g. SIGTERM, then `exit`): make it idempotent.
   */
  beforeFlush?: (reason: ExitReason) => void
  /** Signals to handle (default SIGTERM and SIGINT). */
  signals?: readonly ('SIGTERM' | 'SIGINT')[]
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const

/**
 * Flushes the transport when the process ends, without ever keeping it alive for longer
 * than `timeoutMs`, nor at all once the server is found unreachable (the journal keeps the
 * events for the next start):
 * - `beforeExit` (the event loop ran dry): flush, once per batch of new events;
 * - SIGTERM / SIGINT: flush, then exit with 143 / 130, but only when no other listener is
 *   registered for the signal (then its owner decides when to exit, and `beforeFlush` waits
 *   for `exit`; a second signal while we flush exits at once);
 * - `exit` (including `process.exit()`): journal queued events synchronously, so the next
 *   process delivers them.
 * Returns a function that removes the handlers.
 *
 * @example
 * const flushes: number[] = []
 * const transport = { stats: { sent: 1 }, persist: () => {}, flush: async (timeoutMs?: number) => (flushes.push(timeoutMs ?? 0), { complete: true, acknowledged: 1, pending: 0, journaled: 0 }) }
 * const uninstall = installExitFlush(transport, { timeoutMs: 500, signals: [] })
 * process.emit('beforeExit', 0) // the event loop ran dry: the last events are flushed
 * await new Promise((resolve) => setImmediate(resolve))
 * flushes // → [500]
 * uninstall()
 */
export function installExitFlush(transport: ExitFlushTarget, options: ExitFlushOptions = {}): () => void {
  const timeoutMs = options.timeoutMs ?? 2_000
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  const before = (reason: ExitReason) => {
    try {
      options.beforeFlush?.(reason)
    } catch {
      // The SDK's hook must not prevent the flush.
    }
  }
  const persist = () => {
    try {
      transport.persist()
    } catch {
      // Exiting anyway.
    }
  }
  let flushedAtSent = -1
  let flushing = false
  const onBeforeExit = () => {
    if (flushing) return
    before('beforeExit')
    const { sent, pending } = transport.stats
    // Nothing new since the last exit flush: let the process end (the rest is in the journal).
    if (pending === 0 || sent === flushedAtSent) return
    flushedAtSent = sent
    flushing = true
    // A server found down ends the wait: the journal keeps the rest for the next start.
    void transport.flush(timeoutMs, { untilUnreachable: true }).then(() => {
      flushing = false
    })
  }
  const signalled = new Set<string>()
  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => {
    const alone = process.listenerCount(signal) === 1
    if (signalled.has(signal)) {
      if (alone) process.exit(EXIT_CODES[signal])
      return
    }
    signalled.add(signal)
    // With its own listener the process may well go on (a worker finishing its forks): its
    // runs are ended at `exit` if they are still open then, not now.
    if (alone) before(signal)
    void transport.flush(timeoutMs, { untilUnreachable: true }).then(() => {
      if (alone) process.exit(EXIT_CODES[signal])
    })
  }
  const onExit = () => {
    before('exit')
    persist()
  }
  const signalHandlers = signals.map((signal) => [signal, () => onSignal(signal)] as const)
  process.on('beforeExit', onBeforeExit)
  process.on('exit', onExit)
  for (const [signal, handler] of signalHandlers) process.on(signal, handler)
  return () => {
    process.off('beforeExit', onBeforeExit)
    process.off('exit', onExit)
    for (const [signal, handler] of signalHandlers) process.off(signal, handler)
  }
}
