import { expect, test } from 'vitest'
import { createLocalFeed } from '../store/change-feed.ts'
import type { IngestBatch, IngestCounts, Store } from '../store/store.ts'
import { IngestWriter } from './ingest-writer.ts'

/** A store whose transactions commit when the test says so. */
function controlledStore(engine: 'sqlite' | 'postgres') {
  const transactions: Array<{ batches: readonly IngestBatch[]; commit: () => void }> = []
  const store = {
    engine,
    feed: createLocalFeed(),
    ingest(batches: readonly IngestBatch[]) {
      return new Promise<{ counts: IngestCounts[]; changed: Map<string, Set<string>> }>((resolve) => {
        transactions.push({ batches, commit: () => resolve({ counts: batches.map((batch) => ({ accepted: batch.events.length, duplicates: 0 })), changed: new Map() }) })
      })
    },
  } as unknown as Store
  return { store, transactions }
}

const batch = (): IngestBatch => ({ accountId: 'a', projectId: 'p', events: [] })
const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

test('on PostgreSQL a few transactions run at once, the rest group-commit behind them, and each batch is answered only after its own commit', async () => {
  const { store, transactions } = controlledStore('postgres')
  const writer = new IngestWriter(store)
  const answered: number[] = []
  const submits = Array.from({ length: 6 }, (_, i) => writer.submit(batch()).then(() => answered.push(i)))
  await tick()
  // Three transactions of one batch each; the other three batches wait to go together.
  expect(transactions.map((tx) => tx.batches.length)).toEqual([1, 1, 1])
  transactions[1]!.commit()
  await tick()
  expect(answered).toEqual([1])
  expect(transactions.map((tx) => tx.batches.length)).toEqual([1, 1, 1, 3])
  transactions[3]!.commit()
  transactions[0]!.commit()
  transactions[2]!.commit()
  await Promise.all(submits)
  expect(answered.sort()).toEqual([0, 1, 2, 3, 4, 5])
  await writer.idle()
})

test('on SQLite one transaction at a time: what arrives meanwhile is committed together in the next', async () => {
  const { store, transactions } = controlledStore('sqlite')
  const writer = new IngestWriter(store)
  const submits = Array.from({ length: 4 }, () => writer.submit(batch()))
  await tick()
  expect(transactions.map((tx) => tx.batches.length)).toEqual([1])
  transactions[0]!.commit()
  await tick()
  expect(transactions.map((tx) => tx.batches.length)).toEqual([1, 3])
  transactions[1]!.commit()
  await Promise.all(submits)
})
