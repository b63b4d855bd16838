import { afterEach, describe, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { storeTargets } from '../../test/store-matrix.ts'
import { generateApiKey } from '../auth/api-keys.ts'
import { createLogger } from '../logging/logger.ts'
import { openStore } from '../store/open-store.ts'
import type { Store } from '../store/store.ts'
import { DEDUPE_RETENTION_MS, startDedupeRetention, type DedupeRetention } from './dedupe-retention.ts'

const DAY = 24 * 60 * 60 * 1000
const AT = '2026-03-01T10:00:00.000Z'
const log = createLogger({ level: 'silent' })
const journalBatch = (traceId: string): WireEvent[] => [
  { type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: 'agent', startedAt: AT } },
  { type: 'span', id: `${traceId}-s1`, span: { id: `${traceId}-s1`, traceId, kind: 'tool', name: 'lookup', startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok' } },
  { type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: AT, status: 'completed', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 1 } } },
]

describe.each(storeTargets())('the dedupe ledger on $engine', (target) => {
  let store: Store | undefined
  let retention: DedupeRetention | undefined
  afterEach(async () => {
    await retention?.stop()
    await store?.close()
  })

  test.skipIf(!target.available)('an event id is remembered for 30 days (a journal offline for weeks resends: duplicates, not spans), then forgotten', async () => {
    let now = Date.parse('2026-03-01T12:00:00.000Z')
    const clock = () => now
    store = await openStore(await target.freshUrl(), { now: clock })
    const { project } = (await store.bootstrap(generateApiKey()))!
    const send = (traceId: string) => store!.ingest([{ accountId: project.accountId, projectId: project.id, events: journalBatch(traceId) }])
    retention = startDedupeRetention({ store, log, now: clock })

    expect((await send('offline')).counts).toEqual([{ accepted: 3, duplicates: 0 }])
    now += 10 * DAY
    expect((await send('later')).counts).toEqual([{ accepted: 3, duplicates: 0 }])

    // 29 days on: nothing is old enough; the journal's resend is all duplicates.
    now += 19 * DAY
    expect(await retention.prune()).toBe(0)
    expect((await send('offline')).counts).toEqual([{ accepted: 0, duplicates: 3 }])
    expect((await store.getTrace(project.id, 'offline'))!.trace.totals.spans).toBe(1)
    expect((await store.getTrace(project.id, 'offline'))!.spans).toHaveLength(1)

    // Just past 30 days: the first trace's ids are forgotten, the later one's are kept.
    now += DAY + 1
    expect(now - Date.parse('2026-03-01T12:00:00.000Z')).toBeGreaterThan(DEDUPE_RETENTION_MS)
    expect(await retention.prune()).toBe(3)
    expect(await retention.prune()).toBe(0)
    expect((await send('later')).counts).toEqual([{ accepted: 0, duplicates: 3 }])
    now += 10 * DAY
    expect(await retention.prune()).toBe(3)
  })

  test.skipIf(!target.available)('prunes on its own, in batches of 10,000, and no more after stop()', async () => {
    let now = Date.parse('2026-03-01T12:00:00.000Z')
    store = await openStore(await target.freshUrl(), { now: () => now })
    const { project } = (await store.bootstrap(generateApiKey()))!
    const events: WireEvent[] = Array.from({ length: 10_500 }, (_, i) => ({ type: 'trace.lossy', id: `old-${i}`, lossy: { traceId: `t-${i % 7}` } }))
    await store.ingest([{ accountId: project.accountId, projectId: project.id, events }])
    now += 31 * DAY
    const pruned: number[] = []
    const counting: Store = Object.assign(Object.create(store) as Store, {
      pruneEventIds: async (before: number, limit: number) => {
        const deleted = await store!.pruneEventIds(before, limit)
        pruned.push(deleted)
        return deleted
      },
    })
    retention = startDedupeRetention({ store: counting, log, now: () => now, intervalMs: 20 })
    const deadline = Date.now() + 10_000
    while (pruned.reduce((a, b) => a + b, 0) < 10_500 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    await retention.stop()
    expect(pruned.slice(0, 2)).toEqual([10_000, 500])
    const calls = pruned.length
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(pruned.length).toBe(calls)
  })
})
