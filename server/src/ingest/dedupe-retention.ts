import type { Logger } from 'pino'
import type { Store } from '../store/store.ts'

/**
 * How long an event id is remembered (PROTOCOL.md §3.1: at least 30 days). An SDK journal
 * delivers what was pending for up to 7 days after a crash; within this window a resent
 * event is a duplicate, never a second span.
 */
export const DEDUPE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000
/** How often the ledger is pruned. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000
/** Rows deleted per transaction: short transactions, so ingest goes on between them. */
const PRUNE_BATCH = 10_000

/** Options of {@link startDedupeRetention}. */
export interface DedupeRetentionOptions {
  store: Store
  log: Logger
  /** The clock (epoch ms); tests move it. */
  now?: (() => number) | undefined
  /** Milliseconds between prunes (default one hour); the first runs a minute after start (or one interval, if shorter). */
  intervalMs?: number | undefined
}

/**
 * Keeps the dedupe ledger (one row per event id per account) from growing forever: every
 * interval, event ids received more than {@link DEDUPE_RETENTION_MS} ago are deleted, in
 * batches, oldest first. `stop()` waits for a prune in progress, so nothing is written
 * after the store closes.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { pino } from 'pino'
 * import { openStore } from '../store/open-store.ts'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const retention = startDedupeRetention({ store, log: pino({ level: 'silent' }) })
 * // Nothing is older than 30 days yet, so no event id is forgotten:
 * await retention.prune() // → 0
 * await retention.stop()
 * await store.close()
 */
export function startDedupeRetention(options: DedupeRetentionOptions) {
  const now = options.now ?? Date.now
  let stopped = false
  let running: Promise<number> | undefined
  const prune = (): Promise<number> =>
    (running ??= (async () => {
      let total = 0
      try {
        const before = now() - DEDUPE_RETENTION_MS
        for (;;) {
          if (stopped) return total
          const deleted = await options.store.pruneEventIds(before, PRUNE_BATCH)
          total += deleted
          if (deleted < PRUNE_BATCH) return total
        }
      } finally {
        running = undefined
        if (total > 0) options.log.info({ eventIds: total }, 'forgot event ids past the dedupe retention')
      }
    })())
  const interval = options.intervalMs ?? PRUNE_INTERVAL_MS
  let timer: NodeJS.Timeout
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      prune()
        .catch((error: unknown) => options.log.warn({ err: error }, 'could not prune old event ids'))
        .finally(() => stopped || schedule(interval))
    }, ms)
    timer.unref()
  }
  // Soon after start too: a server restarted more often than the interval still prunes.
  schedule(Math.min(interval, 60_000))
  return {
    /** Prunes now (the timer does it every interval); resolves with the ids forgotten. */
    prune,
    /** Stops the timer and waits for a prune in progress. */
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await running?.catch(() => {})
    },
  }
}

export type DedupeRetention = ReturnType<typeof startDedupeRetention>
