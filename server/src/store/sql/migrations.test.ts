import { describe, expect, test } from 'vitest'
import { storeTargets, type StoreTarget } from '../../../test/store-matrix.ts'
import { openPostgres } from '../postgres/postgres-client.ts'
import { openSqlite } from '../sqlite/sqlite-client.ts'
import { openStore } from '../open-store.ts'
import type { SqlClient } from './sql-client.ts'
import { migrate, MIGRATIONS, type Migration } from './migrations.ts'

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

// The real schema: a database made by a server with share links (3) but before Fork & Replay
// (2) keeps its share links and gets the fork tables when the newer server opens it.
describe.each(storeTargets())('the schema on $engine', (target) => {
  test.skipIf(!target.available)('a database at version 3 without version 2 migrates to forks, sweeps and baselines, its share links kept', async () => {
    const url = await target.freshUrl()
    const client = target.engine === 'sqlite' ? openSqlite(url.replace(/^sqlite:/, '')) : await openPostgres(url)
    try {
      expect(await migrate(client, MIGRATIONS.filter((migration) => migration.version === 1 || migration.version === 3))).toEqual({ from: 0, to: 3 })
      await client.transaction((tx) =>
        tx.run("INSERT INTO share_links (id, project_id, trace_id, token_hash, token_prefix, created_ms) VALUES ('sl_1', 'prj_1', 'tr_1', 'hash', 'rts_abc', 1)"),
      )
    } finally {
      await client.close()
    }
    const store = await openStore(url)
    try {
      expect(await store.forks.forksOfTrace('prj_1', 'tr_1')).toEqual([])
      const fork = await store.forks.createFork({ projectId: 'prj_1', traceId: 'tr_1', spanId: 'sp_1', forkPointStep: 1, forkPointToolCall: null, functionName: 'agent', modifiedInput: 'Oslo' })
      expect(await store.forks.getFork('prj_1', fork.id)).toMatchObject({ status: 'created', modifiedInput: 'Oslo' })
      expect(await store.shares.list('prj_1')).toMatchObject([{ id: 'sl_1', traceId: 'tr_1' }])
    } finally {
      await store.close()
    }
    const reopened = target.engine === 'sqlite' ? openSqlite(url.replace(/^sqlite:/, '')) : await openPostgres(url)
    try {
      const rows = await reopened.all<{ version: number }>('SELECT version FROM retrace_schema ORDER BY version')
      expect(rows.map((row) => Number(row.version))).toEqual(MIGRATIONS.map((migration) => migration.version))
    } finally {
      await reopened.close()
    }
  })
})
