import { MAX_TRACE_IDS_PER_MESSAGE } from '../store/change-feed.ts'
import type { IngestBatch, IngestCounts, Store } from '../store/store.ts'

/** Most events folded into one transaction. */
const MAX_EVENTS_PER_TRANSACTION = 20_000
/**
 * Transactions in flight at once. SQLite has one writer connection. On PostgreSQL the
 * database works on its own cores: while one transaction waits for its commit (an fsync),
 * the next one's rows are already going in. Rows are written in key order, so concurrent
 * transactions wait for each other rather than deadlock (and one PostgreSQL aborts as a
 * deadlock anyway runs again, see postgres-client.ts).
 */
const WRITERS = { sqlite: 1, postgres: 3 } as const

interface Pending {
  batch: IngestBatch
  resolve: (counts: IngestCounts) => void
  reject: (error: unknown) => void
}

/**
 * The writer of a server process: batches that arrive while transactions are running are
 * committed together in the next one (group commit), so a commit's cost is shared by every
 * batch in it and an acknowledgement always follows its commit. One transaction at a time on
 * SQLite, a few on PostgreSQL. Live updates are published after each commit.
 *
 * @example
 * const writer = new IngestWriter(store)
 * const { accepted, duplicates } = await writer.submit({ accountId, projectId, events })
 */
export class IngestWriter {
  readonly #store: Store
  readonly #writers: number
  #queue: Pending[] = []
  /** Transactions being written. */
  #running = 0
  #idle: Array<() => void> = []
  #tracked = 0
  readonly #committed = new Set<(batches: readonly IngestBatch[]) => void>()

  constructor(store: Store) {
    this.#store = store
    this.#writers = WRITERS[store.engine]
  }

  /** Resolves once the batch is committed, with its counts. */
  submit(batch: IngestBatch): Promise<IngestCounts> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ batch, resolve, reject })
      if (this.#running < this.#writers) void this.#drain()
    })
  }

  /**
   * Runs the handling of one received batch (validation, then `submit`), counted so that
   * `idle()` also waits for batches received but not yet queued.
   */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#tracked++
    try {
      return await work()
    } finally {
      this.#tracked--
      this.#notifyIdle()
    }
  }

  /**
   * Calls `listener` with the batches of each commit, after they are acknowledged (work
   * derived from stored events, such as the detectors, starts there). Returns the unsubscribe.
   */
  onCommitted(listener: (batches: readonly IngestBatch[]) => void): () => void {
    this.#committed.add(listener)
    return () => this.#committed.delete(listener)
  }

  /** Batches received and not yet answered (being validated, queued or written). */
  get pending(): number {
    return this.#tracked
  }

  /** Resolves when nothing is being handled, queued or written. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #isIdle(): boolean {
    return this.#running === 0 && this.#queue.length === 0 && this.#tracked === 0
  }

  #notifyIdle(): void {
    if (this.#isIdle()) for (const resolve of this.#idle.splice(0)) resolve()
  }

  async #drain(): Promise<void> {
    this.#running++
    while (this.#queue.length) {
      let events = 0
      let take = 0
      while (take < this.#queue.length && (take === 0 || events + this.#queue[take]!.batch.events.length <= MAX_EVENTS_PER_TRANSACTION)) {
        events += this.#queue[take]!.batch.events.length
        take++
      }
      const group = this.#queue.splice(0, take)
      try {
        const { counts, changed } = await this.#store.ingest(group.map((item) => item.batch))
        group.forEach((item, index) => item.resolve(counts[index]!))
        for (const [projectId, ids] of changed) {
          const traceIds = [...ids]
          for (let at = 0; at < traceIds.length; at += MAX_TRACE_IDS_PER_MESSAGE) {
            void this.#store.feed.publish({ kind: 'traces.changed', projectId, traceIds: traceIds.slice(at, at + MAX_TRACE_IDS_PER_MESSAGE) }).catch(() => {})
          }
        }
        for (const listener of this.#committed) listener(group.map((item) => item.batch))
      } catch (error) {
        for (const item of group) item.reject(error)
      }
    }
    this.#running--
    this.#notifyIdle()
  }
}
