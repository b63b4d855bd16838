import { describe, expect, test } from 'vitest'
import { storeTargets, type StoreTarget } from '../../../test/store-matrix.ts'
import { openPostgres } from '../postgres/postgres-client.ts'
import { openSqlite } from '../sqlite/sqlite-client.ts'
import type { SqlClient } from './sql-client.ts'
import { migrate, type Migration } from './migrations.ts'

/** A migration that makes one table, named after its version. */
const migration = (version: number): Migration => ({ version, name: `v${version}`, statements: [`CREATE TABLE v${version} (id TEXT PRIMARY KEY)`] })

/** Runs `check` on a fresh database of `target`, then closes it. */
async function onFreshDatabase(target: StoreTarget, check: (client: SqlClient) => Promise<void>): Promise<void> {
  const url = await target.freshUrl()
  const client = target.engine === 'sqlite' ? openSqlite(url.replace(/^sqlite:/, '')) : await openPostgres(url)
  try {
    await check(client)
  } finally {
    await client.close()
  }
}

const appliedVersions = async (client: SqlClient) => (await client.all<{ version: number }>('SELECT version FROM retrace_schema ORDER BY version')).map((row) => Number(row.version))

// Branches add migrations concurrently (Fork & Replay's 2, share links' 3, detectors' 4, 5): a
// database that got 3 before 2 existed must still get 2 when it lands.
describe.each(storeTargets())('migrations on $engine', (target) => {
  test.skipIf(!target.available)('a version below the newest applied one still runs, once', () =>
    onFreshDatabase(target, async (client) => {
      const [one, two, three] = [migration(1), migration(2), migration(3)]
      expect(await migrate(client, [one, three])).toEqual({ from: 0, to: 3 })
      expect(await migrate(client, [one, two, three])).toEqual({ from: 3, to: 3 })
      await client.transaction((tx) => tx.run("INSERT INTO v2 (id) VALUES ('made by 2')"))
      expect(await migrate(client, [one, two, three])).toEqual({ from: 3, to: 3 })
      expect(await appliedVersions(client)).toEqual([1, 2, 3])
    }))

  test.skipIf(!target.available)('the schema version is the highest one, wherever a merge put it in the list', () =>
    onFreshDatabase(target, async (client) => {
      const [one, four, five] = [migration(1), migration(4), migration(5)]
      expect(await migrate(client, [one, five])).toEqual({ from: 0, to: 5 })
      // 4 merged in after 5: the database (at 5) is not newer than this list.
      expect(await migrate(client, [one, five, four])).toEqual({ from: 5, to: 5 })
      expect(await appliedVersions(client)).toEqual([1, 4, 5])
    }))
})
