import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { startRetraceTestServer, type RetraceTestServer } from '../../../../test-support/retrace-test-server.ts'
import { claimOrphanJournals, holdJournal, HOST_TAG } from './journal-claim.ts'
import { JournalFile, JournalFullError, type JournalHeader } from './journal-file.ts'
import { defaultJournalRoot, journalDirectory } from './journal-location.ts'
import { createTransport, type Transport } from './transport.ts'

const HEADER: JournalHeader = { type: 'journal', version: 1, pid: process.pid, host: 'test', createdAt: new Date(0).toISOString(), baseUrl: 'http://127.0.0.1:1' }
const CLAIM = { orphanAfterMs: 60_000, maxAgeMs: 86_400_000 }

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'retrace-journal-'))
}

function frame(batchId: string, events = 1): Buffer {
  return Buffer.from(`${JSON.stringify({ type: 'batch', batchId, events: Array.from({ length: events }, (_, n) => ({ type: 'trace.lossy', id: `${batchId}.${n}`, lossy: { traceId: 't' } })) })}\n`)
}

/** A journal file name as another process would have made it. */
function foreignName(pid: number, options: { host?: string; thread?: number; createdAt?: number } = {}): string {
  return `${options.host ?? HOST_TAG}-${pid}-${options.thread ?? 0}-${(options.createdAt ?? Date.now()).toString(36)}-0badcafe.jsonl`
}

function writeForeignJournal(dir: string, name: string, batchIds: string[]): string {
  const path = join(dir, name)
  writeFileSync(path, [`${JSON.stringify(HEADER)}\n`, ...batchIds.map((id) => frame(id).toString())].join(''))
  return path
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(child.stdout)
}

describe('JournalFile', () => {
  test('appends batches in one write, cuts back to the header once all are settled, and is removed on close when empty', () => {
    const path = join(tempDir(), 'j.jsonl')
    const journal = JournalFile.create(path, HEADER)
    const headerSize = journal.size
    journal.append([
      { id: 'a', frame: frame('a') },
      { id: 'b', frame: frame('b') },
    ])
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(3)
    expect(journal.read('b').toString()).toBe(frame('b').toString())
    journal.settle('a')
    journal.settle('b')
    expect(statSync(path).size).toBe(headerSize)
    journal.close()
    expect(existsSync(path)).toBe(false)
  })

  test('never takes over an existing file', () => {
    const path = join(tempDir(), 'j.jsonl')
    writeFileSync(path, 'someone else')
    expect(() => JournalFile.create(path, HEADER)).toThrow()
    expect(readFileSync(path, 'utf8')).toBe('someone else')
  })

  test('ack lines are coalesced, and adoption returns only the unacknowledged batches', async () => {
    const path = join(tempDir(), 'j.jsonl')
    const journal = JournalFile.create(path, HEADER)
    journal.append(['a', 'b', 'c', 'd'].map((id) => ({ id, frame: frame(id, 2) })))
    journal.settle('a')
    journal.settle('c')
    await new Promise((resolve) => setImmediate(resolve))
    const lines = readFileSync(path, 'utf8').trim().split('\n')
    expect(JSON.parse(lines.at(-1)!)).toEqual({ type: 'ack', batchIds: ['a', 'c'] })
    journal.close()
    expect(existsSync(path)).toBe(true)

    const { journal: adopted, entries } = JournalFile.adopt(path)
    expect(entries.map((entry) => [entry.id, entry.eventCount])).toEqual([
      ['b', 2],
      ['d', 2],
    ])
    expect(entries[0]!.frame!.toString()).toBe(frame('b', 2).toString())
    adopted.settle('b')
    adopted.settle('d')
    adopted.close()
    expect(existsSync(path)).toBe(false)
  })

  test('a torn last line (killed mid-write) is cut off; garbage lines are skipped', () => {
    const path = join(tempDir(), 'j.jsonl')
    writeFileSync(path, `${JSON.stringify(HEADER)}\n${frame('a').toString()}not json\n${frame('b').toString()}{"type":"batch","batchId":"c","ev`)
    const { journal, entries, skippedLines } = JournalFile.adopt(path)
    expect(entries.map((entry) => entry.id)).toEqual(['a', 'b'])
    expect(skippedLines).toBe(1)
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true)
    journal.settle('a')
    journal.writeAcks()
    const { entries: again } = JournalFile.adopt(path)
    expect(again.map((entry) => entry.id)).toEqual(['b'])
  })

  test('frames beyond the memory budget are left on disk and read back on demand', () => {
    const path = join(tempDir(), 'j.jsonl')
    const journal = JournalFile.create(path, HEADER)
    journal.append(['a', 'b', 'c'].map((id) => ({ id, frame: frame(id, 5) })))
    journal.close()
    const { journal: adopted, entries } = JournalFile.adopt(path, { memoryBudgetEvents: 7 })
    expect(entries.map((entry) => entry.frame !== undefined)).toEqual([true, false, false])
    expect(adopted.read('c').toString()).toBe(frame('c', 5).toString())
  })

  test('compacts a large file whose batches are mostly acknowledged, keeping offsets right', () => {
    const path = join(tempDir(), 'j.jsonl')
    const journal = JournalFile.create(path, HEADER, { compactBytes: 4_000 })
    for (let n = 0; n < 100; n++) {
      journal.append([{ id: `b${n}`, frame: frame(`b${n}`, 3) }])
      if (n % 10 !== 0) journal.settle(`b${n}`)
    }
    expect(journal.size).toBeLessThan(8_000)
    expect(statSync(path).size).toBe(journal.size)
    expect(journal.pendingBatches).toBe(10)
    for (let n = 0; n < 100; n += 10) expect(journal.read(`b${n}`).toString()).toBe(frame(`b${n}`, 3).toString())
    journal.close()
    expect(JournalFile.adopt(path).entries.map((entry) => entry.id)).toEqual(Array.from({ length: 10 }, (_, n) => `b${n * 10}`))
  })

  test('refuses appends beyond its size limit, leaving the file intact', () => {
    const path = join(tempDir(), 'j.jsonl')
    const journal = JournalFile.create(path, HEADER, { maxBytes: 1_000 })
    journal.append([{ id: 'a', frame: frame('a') }])
    const size = statSync(path).size
    expect(() => journal.append([{ id: 'big', frame: frame('big', 40) }])).toThrow(JournalFullError)
    expect(statSync(path).size).toBe(size)
    expect(journal.read('a').toString()).toBe(frame('a').toString())
  })
})

describe('claimOrphanJournals', () => {
  test('claims the journal of a dead process by renaming it to a name of our own', () => {
    const dir = tempDir()
    const original = writeForeignJournal(dir, foreignName(deadPid()), ['a'])
    const { claimed } = claimOrphanJournals(dir, CLAIM)
    expect(claimed).toHaveLength(1)
    expect(existsSync(original)).toBe(false)
    expect(claimed[0]).toContain(`${HOST_TAG}-${process.pid}-`)
    // Held now: a second scan (another transport of this process) does not take it again.
    expect(claimOrphanJournals(dir, CLAIM).claimed).toEqual([])
    holdJournal(claimed[0]!, false)
  })

  test.each([
    ['a live process on this host is left alone', () => foreignName(process.ppid)],
    ['another host is judged by its heartbeat only', () => foreignName(deadPid(), { host: '00000000' })],
  ])('%s until its heartbeat is stale', (_case, name) => {
    const dir = tempDir()
    const path = writeForeignJournal(dir, name(), ['a'])
    expect(claimOrphanJournals(dir, CLAIM).claimed).toEqual([])
    const old = new Date(Date.now() - 120_000)
    utimesSync(path, old, old)
    const { claimed } = claimOrphanJournals(dir, CLAIM)
    expect(claimed).toHaveLength(1)
    holdJournal(claimed[0]!, false)
  })

  test('our own pid and thread: claimed only when no live transport holds it', () => {
    const dir = tempDir()
    const path = writeForeignJournal(dir, foreignName(process.pid), ['a'])
    holdJournal(path, true)
    expect(claimOrphanJournals(dir, CLAIM).claimed).toEqual([])
    holdJournal(path, false)
    const { claimed } = claimOrphanJournals(dir, CLAIM)
    expect(claimed).toHaveLength(1)
    holdJournal(claimed[0]!, false)
  })

  test('deletes orphans older than maxAgeMs and leftover temp files of dead owners', () => {
    const dir = tempDir()
    const pid = deadPid()
    const expired = writeForeignJournal(dir, foreignName(pid, { createdAt: Date.now() - 10 * 86_400_000 }), ['a'])
    const tmp = join(dir, `${foreignName(pid)}.tmp`)
    writeFileSync(tmp, 'partial rewrite')
    writeFileSync(join(dir, 'unrelated.txt'), 'not ours')
    const result = claimOrphanJournals(dir, CLAIM)
    expect(result).toEqual({ claimed: [], expired: [expired] })
    expect(readdirSync(dir)).toEqual(['unrelated.txt'])
  })
})

describe('journal location', () => {
  test('one folder per destination under RETRACE_JOURNAL_DIR or the OS cache folder', () => {
    expect(defaultJournalRoot({ RETRACE_JOURNAL_DIR: '/data/journal' })).toBe('/data/journal')
    expect(defaultJournalRoot({ XDG_CACHE_HOME: '/cache' }, 'linux')).toBe('/cache/retrace/journal')
    const a = journalDirectory({ baseUrl: 'https://api.retrace.dev', apiKey: 'k1' }, '/root')
    expect(a).toMatch(/^\/root\/api\.retrace\.dev-[0-9a-f]{12}$/)
    expect(journalDirectory({ baseUrl: 'https://api.retrace.dev/', apiKey: 'k1' }, '/root')).toBe(a)
    expect(journalDirectory({ baseUrl: 'https://api.retrace.dev', apiKey: 'k2' }, '/root')).not.toBe(a)
    expect(journalDirectory({ baseUrl: 'https://api.retrace.dev', apiKey: 'k1', projectId: 'p' }, '/root')).not.toBe(a)
  })
})

describe('memory while the server is down', () => {
  const cleanup: (Transport | RetraceTestServer)[] = []
  afterEach(async () => {
    for (const item of cleanup.splice(0)) await ('close' in item ? item.close(50) : item.stop())
  })

  test('journaled frames leave memory beyond maxBufferedEvents and are read back when the server returns', async () => {
    const api = await startRetraceTestServer()
    cleanup.push(api)
    await api.stop()
    const client = createTransport({
      baseUrl: api.url,
      apiKey: 'rt_test',
      journalDir: tempDir(),
      maxBufferedEvents: 200,
      maxBatchEvents: 20,
      batchIntervalMs: 1,
      backoff: { initialDelayMs: 20, maxDelayMs: 50 },
      onError: () => {},
    })
    cleanup.push(client)
    for (let n = 0; n < 2_000; n++) client.send({ type: 'trace.lossy', id: `e${n}`, lossy: { traceId: 't' } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(client.stats.journaled).toBe(2_000)
    // The budget, plus at most the batches being posted (2 × 20): those are released once answered.
    expect(client.stats.buffered).toBeLessThanOrEqual(200 + 2 * 20)
    expect(client.stats.dropped).toBe(0)
    await api.start()
    expect((await client.flush(5_000)).complete).toBe(true)
    expect(api.events).toHaveLength(2_000)
  })

  test('a long-lived transport also picks up journals of processes that died after it started', async () => {
    const api = await startRetraceTestServer()
    cleanup.push(api)
    const journalDir = tempDir()
    const client = createTransport({ baseUrl: api.url, apiKey: 'rt_test', journalDir, orphanAfterMs: 300, onError: () => {} })
    cleanup.push(client)
    const dir = journalDirectory({ baseUrl: api.url, apiKey: 'rt_test' }, journalDir)
    mkdirSync(dir, { recursive: true })
    writeForeignJournal(dir, foreignName(deadPid()), ['late'])
    await api.waitForEvents(1)
    expect(api.events.map((event) => event.id)).toEqual(['late.0'])
    expect(client.stats.recovered).toBe(1)
  })

  test('many orphaned journals: claimed a few at a time, oldest first, all delivered', async () => {
    const api = await startRetraceTestServer()
    cleanup.push(api)
    const journalDir = tempDir()
    const dir = journalDirectory({ baseUrl: api.url, apiKey: 'rt_test' }, journalDir)
    mkdirSync(dir, { recursive: true })
    const pid = deadPid()
    for (let n = 0; n < 20; n++) writeForeignJournal(dir, foreignName(pid, { createdAt: Date.now() - 60_000 + n }), [`j${n}`])
    const client = createTransport({ baseUrl: api.url, apiKey: 'rt_test', journalDir, onError: () => {} })
    cleanup.push(client)
    expect(client.stats.recovered).toBe(8)
    await api.waitForEvents(20)
    expect(api.events.map((event) => event.id)).toEqual(Array.from({ length: 20 }, (_, n) => `j${n}.0`))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(readdirSync(dir)).toEqual([])
  })

  test('the journal gets one line per batch, not one per event', async () => {
    const dir = tempDir()
    const client = createTransport({ baseUrl: 'http://127.0.0.1:9', apiKey: 'rt_test', journalDir: dir, maxBatchEvents: 100, batchIntervalMs: 1_000, onError: () => {} })
    cleanup.push(client)
    for (let n = 0; n < 1_000; n++) client.send({ type: 'trace.lossy', id: `e${n}`, lossy: { traceId: 't' } })
    client.persist()
    const [destination] = readdirSync(dir)
    const [file] = readdirSync(join(dir, destination!))
    const lines = readFileSync(join(dir, destination!, file!), 'utf8').trim().split('\n')
    expect(lines).toHaveLength(11) // header + 10 batches
  })
})
