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
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../store/open-store.ts'
 * import { generateApiKey } from '../auth/api-keys.ts'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const exchange = (text: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } } },
 * })
 * const llm = (traceId: string, n: number, text: string) => ({
 *   id: `${traceId}.${n}`, traceId, kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 *   interaction: exchange(text),
 * })
 * // One run as the SDK streams it: its start, its LLM spans, its end.
 * const run = (traceId: string, answers: string[]) => [
 *   { type: 'trace.start' as const, id: `${traceId}:start`, trace: { id: traceId, name: 'weather', startedAt: at(0), input: 'Weather in Paris?' } },
 *   ...answers.map((text, index) => ({ type: 'span' as const, id: `${traceId}.${index + 1}`, span: llm(traceId, index + 1, text) })),
 *   { type: 'trace.end' as const, id: `${traceId}:end`, trace: { id: traceId, endedAt: at(59), status: 'completed' as const, output: answers.at(-1), totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 59_000 } } },
 * ]
 * const writer = new IngestWriter(store)
 * await writer.submit({ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Sunny, 18 °C.']) }) // → { accepted: 3, duplicates: 0 }
 * await writer.idle()
 * await store.close()
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
