import { expect, test } from 'vitest'
import { storeTargets } from '../../../test/store-matrix.ts'
import { openPostgres } from './postgres-client.ts'

const postgres = storeTargets().find((target) => target.engine === 'postgres')!

test.skipIf(!postgres.available)('a transaction PostgreSQL aborts as a deadlock runs again, so both writers commit', async () => {
  const client = await openPostgres(await postgres.freshUrl())
  try {
    await client.transaction(async (tx) => {
      await tx.run('CREATE TABLE counters (id TEXT PRIMARY KEY, n BIGINT NOT NULL)')
      await tx.run("INSERT INTO counters (id, n) VALUES ('a', 0), ('b', 0)")
    })
    // Each holds its first row when it asks for the other's: a deadlock on the first attempt.
    let holding = 0
    let release: () => void = () => {}
    const bothHolding = new Promise<void>((resolve) => (release = resolve))
    const attempts = { first: 0, second: 0 }
    const writer = (name: 'first' | 'second', order: [string, string]) =>
      client.transaction(async (tx) => {
        attempts[name]++
        await tx.run('UPDATE counters SET n = n + 1 WHERE id = ?', [order[0]])
        if (++holding === 2) release()
        await bothHolding
        await tx.run('UPDATE counters SET n = n + 1 WHERE id = ?', [order[1]])
      })
    await Promise.all([writer('first', ['a', 'b']), writer('second', ['b', 'a'])])
    // At least one writer ran again (under load, a retry can meet the other writer once more).
    expect(attempts.first + attempts.second).toBeGreaterThanOrEqual(3)
    const rows = await client.all<{ id: string; n: number }>('SELECT id, n FROM counters ORDER BY id')
    expect(rows.map((row) => [row.id, Number(row.n)])).toEqual([['a', 2], ['b', 2]])
  } finally {
    await client.close()
  }
})
