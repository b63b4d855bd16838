import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { WireEvent } from '@retrace/protocol'
import { traceIdOf, type EncodedBatch } from './batch-encoder.ts'
import { RetraceJournalError } from './errors.ts'
import { FifoQueue } from './fifo-queue.ts'
import { claimOrphanJournals, holdJournal, journalFileName, safeHostname } from './journal-claim.ts'
import { JournalFile, JournalFullError } from './journal-file.ts'

// Every batch between being cut and being acknowledged. A batch is appended to the journal
// before anything can send it; its frame stays in memory until it is written to a socket
// (journaled batches are then read back from disk if they must be resent), or is released
// early when memory is over budget. Only batches that could not be journaled are ever
// dropped, oldest first, and only when memory is over budget.

/** A batch on its way to the server. */
export interface Batch {
  readonly id: string
  readonly eventCount: number
  /** The frame, while held in memory. */
  frame: Buffer | undefined
  /** The journal file holding it; undefined when it lives in memory only. */
  journal: JournalFile | undefined
  /** For memory-only batches: their events, so that a drop can name the traces that lost data. */
  events: WireEvent[] | undefined
  status: 'waiting' | 'sending' | 'settled'
  /** Came from an earlier process's journal (sent before this process's own batches). */
  readonly recovered: boolean
}

export interface OutboxOptions {
  /** The destination's journal folder; undefined: no journal. */
  journalDir: string | undefined
  baseUrl: string
  projectId: string | undefined
  maxBufferedEvents: number
  maxJournalBytes: number
  orphanAfterMs: number
  maxJournalAgeMs: number
  onJournalError: (error: RetraceJournalError) => void
  /** Events of these traces (trace id → count) were dropped. */
  onDropped: (traces: Map<string, number>, events: number) => void
  /** Every claimed journal was delivered: time to look for more. */
  onRecoveredDrained: () => void
}

/** After a journal failure, how long before trying to open or write it again. */
const JOURNAL_RETRY_MS = 5_000
/** Journals of dead processes taken at a time (each holds a file descriptor until delivered). */
const CLAIM_LIMIT = 8

/**
 * The batches of one transport between cut and acknowledgement, with their journal files.
 *
 * @example
 * const outbox = new Outbox({ journalDir, baseUrl, projectId, maxBufferedEvents: 10_000, … })
 * outbox.recover()           // journals of dead processes first
 * outbox.add(encodeBatches(events, encodeOptions))
 * const batch = outbox.next() // send batch.frame, then outbox.settle(batch) on its ack
 */
export class Outbox {
  readonly #options: OutboxOptions
  readonly #recoveredQueue = new FifoQueue<Batch>()
  readonly #queue = new FifoQueue<Batch>()
  /** Every batch not yet settled, oldest first. */
  readonly #outstanding = new Map<string, Batch>()
  #outstandingEvents = 0
  /** Batches whose frame may be in memory, oldest first (stale entries are skipped). */
  #resident: Batch[] = []
  #residentEvents = 0
  #journal: JournalFile | undefined
  readonly #adopted = new Set<JournalFile>()
  #journalFailedAt = -Infinity
  #journalFailing = false
  readonly #heartbeat: NodeJS.Timeout | undefined
  #closed = false

  constructor(options: OutboxOptions) {
    this.#options = options
    if (options.journalDir) {
      this.#heartbeat = setInterval(() => this.#touchJournals(), Math.max(1_000, options.orphanAfterMs / 6))
      this.#heartbeat.unref()
    }
  }

  /** Events not yet acknowledged (waiting or being sent). */
  get outstandingEvents(): number {
    return this.#outstandingEvents
  }

  /** Events held in memory. */
  get residentEvents(): number {
    return this.#residentEvents
  }

  /** Ids of every batch not yet settled. */
  outstandingIds(): Set<string> {
    return new Set(this.#outstanding.keys())
  }

  /** Outstanding events that are safe in a journal file. */
  journaledOutstandingEvents(): number {
    let events = 0
    for (const batch of this.#outstanding.values()) if (batch.journal) events += batch.eventCount
    return events
  }

  /**
   * Claims journals left by processes that are gone and queues their pending batches ahead of
   * this process's own. Returns how many events were recovered.
   */
  recover(): number {
    const dir = this.#options.journalDir
    if (!dir) return 0
    const { claimed, expired } = claimOrphanJournals(dir, {
      orphanAfterMs: this.#options.orphanAfterMs,
      maxAgeMs: this.#options.maxJournalAgeMs,
      limit: CLAIM_LIMIT - this.#adopted.size,
    })
    if (expired.length > 0) {
      this.#options.onJournalError(new RetraceJournalError(dir, `Deleted ${expired.length} journal file(s) older than ${Math.round(this.#options.maxJournalAgeMs / 3_600_000)} h without delivering them.`))
    }
    let events = 0
    for (const path of claimed) {
      try {
        const budget = Math.max(0, this.#options.maxBufferedEvents - this.#residentEvents)
        const { journal, entries } = JournalFile.adopt(path, { memoryBudgetEvents: budget })
        if (entries.length === 0) {
          journal.close()
          holdJournal(path, false)
          continue
        }
        this.#adopted.add(journal)
        for (const entry of entries) {
          const batch: Batch = { id: entry.id, eventCount: entry.eventCount, frame: entry.frame, journal, events: undefined, status: 'waiting', recovered: true }
          this.#track(batch)
          this.#recoveredQueue.push(batch)
          events += entry.eventCount
        }
      } catch (error) {
        holdJournal(path, false)
        this.#options.onJournalError(new RetraceJournalError(path, `Could not read the journal ${path}: ${(error as Error).message}`, { cause: error }))
      }
    }
    return events
  }

  /**
   * Journals new batches (one write for all of them) and queues them. Batches the journal
   * cannot take stay in memory only; if memory is then over budget, the oldest of those are
   * dropped. Returns how many events were journaled.
   */
  add(encoded: readonly EncodedBatch[]): number {
    if (encoded.length === 0) return 0
    let journaled = 0
    const batches = encoded.map((item): Batch => ({ id: item.id, eventCount: item.eventCount, frame: item.frame, journal: undefined, events: item.events, status: 'waiting', recovered: false }))
    const journal = this.#ownJournal()
    if (journal) {
      try {
        journal.append(batches.map((batch) => ({ id: batch.id, frame: batch.frame! })))
        for (const batch of batches) {
          batch.journal = journal
          batch.events = undefined
          journaled += batch.eventCount
        }
        this.#journalFailing = false
      } catch (error) {
        this.#journalFailed(journal.path, error)
      }
    }
    for (const batch of batches) {
      this.#track(batch)
      this.#queue.push(batch)
    }
    this.#enforceBudget()
    return journaled
  }

  /**
   * The next batch to send, its frame in memory, marked `sending`; undefined when none is
   * waiting. A batch whose frame can no longer be read is dropped and skipped.
   */
  next(): Batch | undefined {
    for (;;) {
      const batch = this.#recoveredQueue.shift() ?? this.#queue.shift()
      if (!batch) return undefined
      if (batch.status !== 'waiting') continue
      if (!batch.frame && batch.journal) {
        try {
          batch.frame = batch.journal.read(batch.id)
          this.#addResident(batch)
        } catch (error) {
          this.#options.onJournalError(new RetraceJournalError(batch.journal.path, `Could not read batch ${batch.id} back from the journal: ${(error as Error).message}`, { cause: error }))
          this.drop(batch)
          continue
        }
      }
      batch.status = 'sending'
      return batch
    }
  }

  /** Puts batches whose sending failed back in front of their queue, oldest first. */
  requeue(batches: readonly Batch[]): void {
    const again = batches.filter((batch) => batch.status === 'sending')
    for (const batch of again) batch.status = 'waiting'
    this.#recoveredQueue.unshift(again.filter((batch) => batch.recovered))
    this.#queue.unshift(again.filter((batch) => !batch.recovered))
  }

  /** The frame was written out: a journaled batch can give its memory back (it is read again if resent). */
  release(batch: Batch): void {
    if (!batch.journal || !batch.frame) return
    batch.frame = undefined
    this.#residentEvents -= batch.eventCount
  }

  /** The server acknowledged the batch: forget it everywhere. */
  settle(batch: Batch): void {
    if (batch.status === 'settled') return
    batch.status = 'settled'
    this.#outstanding.delete(batch.id)
    this.#outstandingEvents -= batch.eventCount
    if (batch.frame) {
      batch.frame = undefined
      this.#residentEvents -= batch.eventCount
    }
    batch.events = undefined
    const journal = batch.journal
    if (!journal) return
    journal.settle(batch.id)
    if (this.#adopted.has(journal) && journal.pendingBatches === 0) {
      this.#adopted.delete(journal)
      journal.close()
      holdJournal(journal.path, false)
      if (this.#adopted.size === 0) this.#options.onRecoveredDrained()
    }
  }

  /**
   * Gives up on a batch (refused by the server, or unreadable): settles it and reports the
   * traces that lost events.
   */
  drop(batch: Batch): void {
    if (batch.status === 'settled') return
    const traces = new Map<string, number>()
    const events = batch.events ?? eventsOfFrame(batch.frame)
    for (const event of events) {
      const traceId = traceIdOf(event)
      if (traceId !== undefined) traces.set(traceId, (traces.get(traceId) ?? 0) + 1)
    }
    this.settle(batch)
    this.#options.onDropped(traces, batch.eventCount)
  }

  /**
   * Makes the journal reflect the present, synchronously (before the process exits): ack
   * lines written, and this process's file removed when nothing in it is pending (a new one is
   * created if more batches come).
   */
  sync(): void {
    for (const journal of this.#adopted) journal.writeAcks()
    const own = this.#journal
    if (!own) return
    if (own.pendingBatches > 0) return own.writeAcks()
    own.close()
    holdJournal(own.path, false)
    this.#journal = undefined
  }

  /** Writes pending ack lines and closes the journal files, leaving those with pending batches for the next process. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#heartbeat)
    for (const journal of [this.#journal, ...this.#adopted]) {
      if (!journal) continue
      journal.close()
      holdJournal(journal.path, false)
    }
    this.#journal = undefined
    this.#adopted.clear()
  }

  #track(batch: Batch): void {
    this.#outstanding.set(batch.id, batch)
    this.#outstandingEvents += batch.eventCount
    if (batch.frame) this.#addResident(batch)
  }

  #addResident(batch: Batch): void {
    this.#resident.push(batch)
    this.#residentEvents += batch.eventCount
    // Stale entries (settled or released) are skipped lazily; sweep them before they pile up.
    if (this.#resident.length > 2 * this.#outstanding.size + 64) this.#resident = this.#resident.filter((item) => item.status !== 'settled' && item.frame !== undefined)
  }

  #ownJournal(): JournalFile | undefined {
    const dir = this.#options.journalDir
    if (!dir || this.#closed) return undefined
    if (this.#journalFailing && Date.now() - this.#journalFailedAt < JOURNAL_RETRY_MS) return undefined
    if (this.#journal) return this.#journal
    const path = join(dir, journalFileName(Date.now()))
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      this.#journal = JournalFile.create(
        path,
        { type: 'journal', version: 1, pid: process.pid, host: safeHostname(), createdAt: new Date().toISOString(), baseUrl: this.#options.baseUrl, projectId: this.#options.projectId },
        { maxBytes: this.#options.maxJournalBytes },
      )
      holdJournal(path, true)
      return this.#journal
    } catch (error) {
      this.#journalFailed(path, error)
      return undefined
    }
  }

  #journalFailed(path: string, error: unknown): void {
    const first = !this.#journalFailing
    this.#journalFailing = true
    this.#journalFailedAt = Date.now()
    if (!first) return
    const reason = error instanceof JournalFullError ? error.message : `Could not write the journal ${path}: ${(error as Error).message}`
    this.#options.onJournalError(new RetraceJournalError(path, `${reason}. Events are kept in memory only until it works again.`, { cause: error }))
  }

  /** Over budget: release journaled frames first (free), then drop memory-only batches, oldest first. */
  #enforceBudget(): void {
    const max = this.#options.maxBufferedEvents
    if (this.#residentEvents <= max) return
    const kept: Batch[] = []
    for (const batch of this.#resident) {
      if (batch.status === 'settled' || !batch.frame) continue
      if (this.#residentEvents > max && batch.status === 'waiting' && batch.journal) {
        batch.frame = undefined
        this.#residentEvents -= batch.eventCount
        continue
      }
      kept.push(batch)
    }
    this.#resident = []
    for (const batch of kept) {
      if (this.#residentEvents > max && batch.status === 'waiting' && !batch.journal) this.drop(batch)
      else this.#resident.push(batch)
    }
  }

  #touchJournals(): void {
    this.#journal?.touch()
    for (const journal of this.#adopted) journal.touch()
  }
}

function eventsOfFrame(frame: Buffer | undefined): WireEvent[] {
  if (!frame) return []
  try {
    const parsed = JSON.parse(frame.toString('utf8')) as { events?: unknown }
    return Array.isArray(parsed.events) ? (parsed.events as WireEvent[]) : []
  } catch {
    return []
  }
}
