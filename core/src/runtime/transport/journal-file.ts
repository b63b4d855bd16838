import { closeSync, ftruncateSync, futimesSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs'

// One write-ahead journal file: JSON Lines, a header line, then batch lines (each the exact
// wire frame of a batch, so a resend never re-serialises) and ack lines naming batches the
// server acknowledged. The pending batches are those with no ack line. When none is pending
// the file is cut back to its header; when acknowledged lines make up most of a large file it
// is rewritten with only the pending ones (write a temp file, rename over).

/** The first line of a journal file. */
export interface JournalHeader {
  type: 'journal'
  version: 1
  pid: number
  host: string
  createdAt: string
  baseUrl: string
  projectId?: string | undefined
}

/** A batch ready to be journaled: its id and its frame (one JSON line ending in `\n`). */
export interface JournalEntry {
  id: string
  frame: Buffer
}

/** A pending batch found in a journal file written by an earlier process. */
export interface RecoveredEntry {
  id: string
  eventCount: number
  /** The frame, when it fitted the memory budget; otherwise read back with `read(id)`. */
  frame: Buffer | undefined
}

/** Limits of one journal file. */
export interface JournalFileLimits {
  /** Refuse appends that would make the file larger than this (default 256 MiB). */
  maxBytes?: number
  /** Consider a rewrite once the file is larger than this (default 4 MiB). */
  compactBytes?: number
}

interface Slot {
  offset: number
  length: number
}

const NEWLINE = 0x0a
/** Compaction copies pending lines in chunks of about this size. */
const COPY_CHUNK_BYTES = 1024 * 1024

/**
 * One journal file (see the top of this file): created by a live transport, or adopted from a
 * process that died.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const journal = JournalFile.create(join(mkdtempSync(join(tmpdir(), 'journal-')), 'a.jsonl'), { type: 'journal', version: 1, pid: process.pid, host: 'h', createdAt: new Date(0).toISOString(), baseUrl: 'https://api.retrace.dev' })
 * journal.append([{ id: 'b1', frame: Buffer.from('{"type":"batch","batchId":"b1","events":[]}\n') }])
 * journal.settle('b1')
 * journal.pendingBatches // → 0
 * journal.close()
 */
export class JournalFile {
  readonly path: string
  #fd: number
  #size: number
  #headerBytes: number
  readonly #maxBytes: number
  readonly #compactBytes: number
  /** Pending batches: where their frame line is. */
  readonly #slots = new Map<string, Slot>()
  #pendingBytes = 0
  /** Acknowledged ids not yet written as an ack line (written on the next tick, coalesced). */
  #acked: string[] = []
  #ackWriteScheduled = false
  #closed = false

  private constructor(path: string, fd: number, size: number, headerBytes: number, limits: JournalFileLimits) {
    this.path = path
    this.#fd = fd
    this.#size = size
    this.#headerBytes = headerBytes
    this.#maxBytes = limits.maxBytes ?? 256 * 1024 * 1024
    this.#compactBytes = limits.compactBytes ?? 4 * 1024 * 1024
  }

  /**
   * Creates a new journal file (exclusively: never someone else's) and writes its header.
   * Throws when the folder is not writable.
   *
   * @example
   * import { mkdtempSync, readFileSync } from 'node:fs'
   * import { tmpdir } from 'node:os'
   * import { join } from 'node:path'
   * const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'a.jsonl')
   * const journal = JournalFile.create(path, { type: 'journal', version: 1, pid: process.pid, host: 'h', createdAt: new Date(0).toISOString(), baseUrl: 'https://api.retrace.dev' })
   * JSON.parse(readFileSync(path, 'utf8')).type // → 'journal'
   * journal.close()
   */
  static create(path: string, header: JournalHeader, limits: JournalFileLimits = {}): JournalFile {
    const line = Buffer.from(`${JSON.stringify(header)}\n`)
    const fd = openSync(path, 'ax+', 0o600)
    try {
      writeFully(fd, line)
    } catch (error) {
      closeSync(fd)
      rmSync(path, { force: true })
      throw error
    }
    return new JournalFile(path, fd, line.length, line.length, limits)
  }

  /**
   * Opens a journal file left by an earlier process (already claimed by renaming it, see
   * `claimOrphanJournals`) and returns its pending batches, oldest first. A torn last line (the
   * process died mid-write) is cut off; other unreadable lines are skipped.
   *
   * @example
   * import { mkdtempSync } from 'node:fs'
   * import { tmpdir } from 'node:os'
   * import { join } from 'node:path'
   * const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'a.jsonl')
   * const written = JournalFile.create(path, { type: 'journal', version: 1, pid: process.pid, host: 'h', createdAt: new Date(0).toISOString(), baseUrl: 'https://api.retrace.dev' })
   * written.append([{ id: 'b1', frame: Buffer.from('{"type":"batch","batchId":"b1","events":[{"id":"e1"}]}\n') }])
   * written.close()
   * // A later process takes the file over: the pending batch comes back.
   * const { journal, entries } = JournalFile.adopt(path, { memoryBudgetEvents: 10_000 })
   * entries.map((entry) => [entry.id, entry.eventCount]) // → [['b1', 1]]
   * journal.close()
   */
  static adopt(path: string, options: JournalFileLimits & { memoryBudgetEvents?: number } = {}): { journal: JournalFile; entries: RecoveredEntry[]; skippedLines: number } {
    const content = readFileSync(path)
    const fd = openSync(path, 'a+')
    let complete = content.lastIndexOf(NEWLINE) + 1
    if (complete < content.length) {
      try {
        ftruncateSync(fd, complete)
      } catch {
        complete = content.length
      }
    }
    const journal = new JournalFile(path, fd, complete, 0, options)
    const parsed = new Map<string, { slot: Slot; eventCount: number }>()
    let skippedLines = 0
    let start = 0
    while (start < complete) {
      const end = content.indexOf(NEWLINE, start)
      const line = content.subarray(start, end)
      const record = parseLine(line)
      if (!record) skippedLines++
      else if (record.type === 'journal' && start === 0) journal.#headerBytes = end + 1
      else if (record.type === 'batch') parsed.set(record.batchId, { slot: { offset: start, length: end + 1 - start }, eventCount: record.eventCount })
      else if (record.type === 'ack') for (const id of record.batchIds) parsed.delete(id)
      start = end + 1
    }
    let budget = options.memoryBudgetEvents ?? Number.POSITIVE_INFINITY
    const entries: RecoveredEntry[] = []
    for (const [id, { slot, eventCount }] of parsed) {
      journal.#slots.set(id, slot)
      journal.#pendingBytes += slot.length
      // Copy (not a view): a view would keep the whole file's buffer alive.
      const keep = budget >= eventCount
      if (keep) budget -= eventCount
      entries.push({ id, eventCount, frame: keep ? Buffer.from(content.subarray(slot.offset, slot.offset + slot.length)) : undefined })
    }
    return { journal, entries, skippedLines }
  }

  /** Batches appended and not yet acknowledged. */
  get pendingBatches(): number {
    return this.#slots.size
  }

  /** Current size of the file, in bytes. */
  get size(): number {
    return this.#size
  }

  /**
   * Appends batches with one write. Throws (leaving the file as it was) when the file would
   * exceed its size limit or the write fails.
   *
   * @example
   * import { mkdtempSync } from 'node:fs'
   * import { tmpdir } from 'node:os'
   * import { join } from 'node:path'
   * const journal = JournalFile.create(join(mkdtempSync(join(tmpdir(), 'journal-')), 'a.jsonl'), { type: 'journal', version: 1, pid: process.pid, host: 'h', createdAt: new Date(0).toISOString(), baseUrl: 'https://api.retrace.dev' })
   * journal.append([{ id: 'b1', frame: Buffer.from('{"type":"batch","batchId":"b1","events":[]}\n') }])
   * journal.pendingBatches // → 1
   * journal.close()
   */
  append(entries: readonly JournalEntry[]): void {
    this.#assertOpen()
    let bytes = 0
    for (const entry of entries) bytes += entry.frame.length
    // Full: a rewrite helps only if acknowledged lines would free enough room.
    if (this.#size + bytes > this.#maxBytes && this.#size - this.#headerBytes - this.#pendingBytes >= bytes) this.compact()
    if (this.#size + bytes > this.#maxBytes) throw new JournalFullError(this.path, this.#maxBytes)
    // Acks waiting for their line ride along with this write.
    const ackedIds = this.#acked
    const acks = this.#takeAckLine()
    const chunks = acks ? [acks, ...entries.map((entry) => entry.frame)] : entries.map((entry) => entry.frame)
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes + (acks?.length ?? 0))
    const before = this.#size
    try {
      writeFully(this.#fd, data)
    } catch (error) {
      // A partial line would glue itself to the next one: cut back to the last good line.
      try {
        ftruncateSync(this.#fd, before)
      } catch {
        // Nothing more we can do; a torn line is skipped at recovery.
      }
      this.#acked = ackedIds.concat(this.#acked)
      throw error
    }
    let offset = before + (acks?.length ?? 0)
    for (const entry of entries) {
      this.#slots.set(entry.id, { offset, length: entry.frame.length })
      offset += entry.frame.length
    }
    this.#pendingBytes += bytes
    this.#size = offset
    if (this.#size > this.#compactBytes && this.#pendingBytes * 2 < this.#size) this.compact()
  }

  /**
   * Forgets an acknowledged batch: the file is cut back to its header when nothing is
   * pending, otherwise an ack line is written on the next tick (coalescing the acks that
   * arrive together). Never throws.
   *
   * @example
   * import { mkdtempSync } from 'node:fs'
   * import { tmpdir } from 'node:os'
   * import { join } from 'node:path'
   * const journal = JournalFile.create(join(mkdtempSync(join(tmpdir(), 'journal-')), 'a.jsonl'), { type: 'journal', version: 1, pid: process.pid, host: 'h', createdAt: new Date(0).toISOString(), baseUrl: 'https://api.retrace.dev' })
   * journal.append([{ id: 'b1', frame: Buffer.from('{"type":"batch","batchId":"b1","events":[]}\n') }])
   * journal.settle('b1') // the server acknowledged it
   * journal.pendingBatches // → 0
   * journal.close()
   */
  settle(id: string): void {
    const slot = this.#slots.get(id)
    if (!slot || this.#closed) return
    this.#slots.delete(id)
    this.#pendingBytes -= slot.length
    if (this.#slots.size === 0) {
      this.#acked = []
      try {
        ftruncateSync(this.#fd, this.#headerBytes)
        this.#size = this.#headerBytes
      } catch {
        // Keep appending after the stale lines: recovery would only resend acknowledged batches.
      }
      return
    }
    this.#acked.push(id)
    if (this.#ackWriteScheduled) return
    this.#ackWriteScheduled = true
    setImmediate(() => {
      this.#ackWriteScheduled = false
      this.writeAcks()
    }).unref()
  }

  /** Writes pending ack lines now (they only spare a redelivery, so failures are ignored). */
  writeAcks(): void {
    if (this.#closed) return
    const line = this.#takeAckLine()
    if (!line) return
    try {
      writeFully(this.#fd, line)
      this.#size += line.length
    } catch {
      try {
        ftruncateSync(this.#fd, this.#size)
      } catch {
        // See append().
      }
    }
  }

  /**
   * Reads back the frame of a pending batch (its in-memory copy was released). Throws when
   * the batch is not pending here or the file cannot be read.
   *
   * @example
   * import { mkdtempSync } from 'node:fs'
   * import { tmpdir } from 'node:os'
   * import { join } from 'node:path'
   * const journal = JournalFile.create(join(mkdtempSync(join(tmpdir(), 'journal-')), 'a.jsonl'), { type: 'journal', version: 1, pid: process.pid, host: 'h', createdAt: new Date(0).toISOString(), baseUrl: 'https://api.retrace.dev' })
   * const frame = Buffer.from('{"type":"batch","batchId":"b1","events":[]}\n')
   * journal.append([{ id: 'b1', frame }])
   * journal.read('b1').equals(frame) // → true
   * journal.close()
   */
  read(id: string): Buffer {
    this.#assertOpen()
    const slot = this.#slots.get(id)
    if (!slot) throw new Error(`Batch ${id} is not pending in ${this.path}`)
    return this.#readRange(slot.offset, slot.length)
  }

  /**
   * Rewrites the file with only its pending batches, copying them in chunks (never the whole
   * file in memory). Never throws: a failed rewrite keeps the old file.
   */
  compact(): void {
    if (this.#closed) return
    const tmp = `${this.path}.tmp`
    let fd: number | undefined
    try {
      fd = openSync(tmp, 'w+', 0o600)
      const slots = new Map<string, Slot>()
      let chunk: Buffer[] = [this.#readRange(0, this.#headerBytes)]
      let chunkBytes = this.#headerBytes
      let offset = this.#headerBytes
      for (const [id, slot] of this.#slots) {
        chunk.push(this.#readRange(slot.offset, slot.length))
        chunkBytes += slot.length
        slots.set(id, { offset, length: slot.length })
        offset += slot.length
        if (chunkBytes >= COPY_CHUNK_BYTES) {
          writeFully(fd, Buffer.concat(chunk, chunkBytes))
          chunk = []
          chunkBytes = 0
        }
      }
      if (chunkBytes > 0) writeFully(fd, Buffer.concat(chunk, chunkBytes))
      renameSync(tmp, this.path)
      closeSync(this.#fd)
      this.#fd = fd
      fd = undefined
      this.#size = offset
      this.#acked = []
      for (const [id, slot] of slots) this.#slots.set(id, slot)
    } catch {
      if (fd !== undefined) closeSync(fd)
      rmSync(tmp, { force: true })
    }
  }

  /** Updates the file's modification time: the heartbeat that tells other processes its owner is alive. */
  touch(): void {
    if (this.#closed) return
    try {
      const now = new Date()
      futimesSync(this.#fd, now, now)
    } catch {
      // A missed heartbeat only risks an early claim, which the server's dedupe absorbs.
    }
  }

  /**
   * Closes the file: removed when nothing is pending, otherwise left (with its acks written)
   * for the next process to deliver.
   *
   * @example
   * import assert from 'node:assert/strict'
   * import { mkdtempSync } from 'node:fs'
   * import { tmpdir } from 'node:os'
   * import { join } from 'node:path'
   * const journal = JournalFile.create(join(mkdtempSync(join(tmpdir(), 'journal-')), 'a.jsonl'), { type: 'journal', version: 1, pid: process.pid, host: 'h', createdAt: new Date(0).toISOString(), baseUrl: 'https://api.retrace.dev' })
   * journal.close()
   * assert.throws(() => journal.append([{ id: 'b1', frame: Buffer.from('{}\n') }]), /is closed/)
   */
  close(): void {
    if (this.#closed) return
    this.writeAcks()
    this.#closed = true
    try {
      closeSync(this.#fd)
    } catch {
      // Already closed by the OS.
    }
    if (this.#slots.size === 0) rmSync(this.path, { force: true })
  }

  #readRange(offset: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length)
    let done = 0
    while (done < length) {
      const read = readSync(this.#fd, buffer, done, length - done, offset + done)
      if (read === 0) throw new Error(`Journal ${this.path} is shorter than expected`)
      done += read
    }
    return buffer
  }

  #takeAckLine(): Buffer | undefined {
    if (this.#acked.length === 0) return undefined
    const line = Buffer.from(`${JSON.stringify({ type: 'ack', batchIds: this.#acked })}\n`)
    this.#acked = []
    return line
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`Journal ${this.path} is closed`)
  }
}

/**
 * The journal reached its size limit: the batch is kept in memory only.
 *
 * @example
 * new JournalFullError('/tmp/j/a.jsonl', 1024).message // → 'Journal /tmp/j/a.jsonl reached its limit of 1024 bytes'
 */
export class JournalFullError extends Error {
  constructor(path: string, maxBytes: number) {
    super(`Journal ${path} reached its limit of ${maxBytes} bytes`)
    this.name = 'JournalFullError'
  }
}

type ParsedLine = { type: 'journal' } | { type: 'batch'; batchId: string; eventCount: number } | { type: 'ack'; batchIds: string[] }

function parseLine(line: Buffer): ParsedLine | undefined {
  let value: unknown
  try {
    value = JSON.parse(line.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as { type?: unknown; batchId?: unknown; events?: unknown; batchIds?: unknown }
  if (record.type === 'journal') return { type: 'journal' }
  if (record.type === 'batch' && typeof record.batchId === 'string' && Array.isArray(record.events)) {
    return { type: 'batch', batchId: record.batchId, eventCount: record.events.length }
  }
  if (record.type === 'ack' && Array.isArray(record.batchIds)) {
    return { type: 'ack', batchIds: record.batchIds.filter((id): id is string => typeof id === 'string') }
  }
  return undefined
}

function writeFully(fd: number, data: Buffer): void {
  let done = 0
  while (done < data.length) done += writeSync(fd, data, done, data.length - done)
}
