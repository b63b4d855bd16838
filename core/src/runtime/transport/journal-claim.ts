import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'

// Journal files are named `<host>-<pid>-<thread>-<created>-<random>.jsonl`: the owner's host
// (a hash of its hostname), pid and worker thread, when the journal was first created (base
// 36 ms, kept across claims so that age limits hold) and a random part. A file is an orphan
// when its owner is gone: same host and the pid is dead (or, for our own pid and thread, no
// live transport holds it), or its heartbeat (modification time) is older than
// `orphanAfterMs` (the only test for other hosts and other threads). An orphan is
// claimed by renaming it to a name of our own: rename is atomic, so of two processes racing
// for it one wins and the other gets ENOENT, and no file is ever delivered by two live
// processes. If we die while holding it, the same rules hand it to the next process.

const FILE_NAME = /^([0-9a-f]{8})-(\d+)-(\d+)-([0-9a-z]+)-[0-9a-f]+\.jsonl(\.tmp)?$/

/** Files held by live transports of this thread (shared by every copy of this module). */
const LIVE = Symbol.for('retrace.journal.live.v1')
const live: Set<string> = ((globalThis as Record<symbol, unknown>)[LIVE] as Set<string> | undefined) ?? ((globalThis as Record<symbol, unknown>)[LIVE] = new Set<string>())

/** This machine, as it appears in journal file names. */
export const HOST_TAG = createHash('sha256').update(safeHostname()).digest('hex').slice(0, 8)

/**
 * A fresh journal file name owned by this process.
 *
 * @example
 * journalFileName(Date.now()) // '0a1b2c3d-4242-0-lx2k3j4h-9f3e2a1b.jsonl'
 */
export function journalFileName(createdAt: number): string {
  return `${HOST_TAG}-${process.pid}-${threadId}-${createdAt.toString(36)}-${randomBytes(4).toString('hex')}.jsonl`
}

/**
 * Marks a journal file as held by a live transport of this process (or releases it).
 *
 * @example
 * holdJournal(path, true)
 */
export function holdJournal(path: string, held: boolean): void {
  if (held) live.add(path)
  else live.delete(path)
}

/** Limits for claiming. */
export interface ClaimOptions {
  /** A file whose heartbeat is older than this is an orphan, whoever owns it. */
  orphanAfterMs: number
  /** An orphan created longer ago than this is deleted instead of delivered. */
  maxAgeMs: number
  /** Claim at most this many files, oldest first (each claimed file holds a file descriptor); default all. */
  limit?: number
  now?: number
}

/** What a scan of the journal folder found. */
export interface ClaimResult {
  /** Paths of the claimed files, now ours, oldest journal first. */
  claimed: string[]
  /** Orphans deleted because they were older than `maxAgeMs`. */
  expired: string[]
}

/**
 * Claims the orphaned journal files of `dir` (see the top of this file) and deletes expired
 * ones and orphaned temp files. Never throws: a folder that cannot be read has nothing to claim.
 *
 * @example
 * const { claimed } = claimOrphanJournals(dir, { orphanAfterMs: 120_000, maxAgeMs: 7 * 86_400_000 })
 */
export function claimOrphanJournals(dir: string, options: ClaimOptions): ClaimResult {
  const now = options.now ?? Date.now()
  const result: ClaimResult = { claimed: [], expired: [] }
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return result
  }
  const orphans: { path: string; createdAt: number }[] = []
  for (const name of names) {
    const match = FILE_NAME.exec(name)
    if (!match) continue
    const path = join(dir, name)
    const [, host, pid, thread, created, tmp] = match
    // A temp file is an unfinished rewrite of the journal it is named after.
    if (live.has(tmp ? path.slice(0, -'.tmp'.length) : path)) continue
    let mtime: number
    try {
      mtime = statSync(path).mtimeMs
    } catch {
      continue
    }
    if (!isOrphan(host!, Number(pid), Number(thread), mtime, now, options.orphanAfterMs)) continue
    const createdAt = Number.parseInt(created!, 36)
    if (tmp || now - createdAt > options.maxAgeMs) {
      // Too old to deliver; or an unfinished rewrite, whose journal still holds every pending batch.
      rmSync(path, { force: true })
      if (!tmp) result.expired.push(path)
      continue
    }
    orphans.push({ path, createdAt })
  }
  orphans.sort((a, b) => a.createdAt - b.createdAt)
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  for (const { path, createdAt } of orphans) {
    if (result.claimed.length >= limit) break
    const target = join(dir, journalFileName(createdAt))
    try {
      renameSync(path, target)
    } catch {
      continue // Claimed by someone else first.
    }
    holdJournal(target, true)
    result.claimed.push(target)
  }
  return result
}

function isOrphan(host: string, pid: number, thread: number, mtime: number, now: number, orphanAfterMs: number): boolean {
  if (now - mtime > orphanAfterMs) return true
  if (host !== HOST_TAG) return false
  // Our own thread: no live transport holds the file (checked by the caller), so its transport was closed.
  if (pid === process.pid) return thread === threadId
  return !isProcessAlive(pid)
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * This machine's host name, or `unknown` where the OS will not say (a sandbox without
 * uname): it only labels journals, so it must never throw.
 *
 * @example
 * safeHostname() // 'build-agent-7'
 */
export function safeHostname(): string {
  try {
    return hostname()
  } catch {
    return 'unknown'
  }
}
