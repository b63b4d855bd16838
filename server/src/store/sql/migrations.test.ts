import { describe, expect, test } from 'vitest'
import { storeTargets } from '../../../test/store-matrix.ts'
import { openPostgres } from '../postgres/postgres-client.ts'
import { openSqlite } from '../sqlite/sqlite-client.ts'
import { migrate, type Migration } from './migrations.ts'

// Branches add migrations concurrently (Fork & Replay's 2, share links' 3): a database that
// got 3 before 2 existed must still get 2 when it lands.
describe.each(storeTargets())('migrations on $engine', (target) => {
  test.skipIf(!target.available)('a version below the newest applied one still runs, once', async () => {
    const url = await target.freshUrl()
    const client = target.engine === 'sqlite' ? openSqlite(url.replace(/^sqlite:/, '')) : await openPostgres(url)
    const one: Migration = { version: 1, name: 'one', statements: ['CREATE TABLE one (id TEXT PRIMARY KEY)'] }
    const two: Migration = { version: 2, name: 'two', statements: ['CREATE TABLE two (id TEXT PRIMARY KEY)'] }
    const three: Migration = { version: 3, name: 'three', statements: ['CREATE TABLE three (id TEXT PRIMARY KEY)'] }
    try {
      expect(await migrate(client, [one, three])).toEqual({ from: 0, to: 3 })
      expect(await migrate(client, [one, two, three])).toEqual({ from: 3, to: 3 })
      await client.transaction((tx) => tx.run("INSERT INTO two (id) VALUES ('made by 2')"))
      expect(await migrate(client, [one, two, three])).toEqual({ from: 3, to: 3 })
      const versions = await client.all<{ version: number }>('SELECT version FROM retrace_schema ORDER BY version')
      expect(versions.map((row) => Number(row.version))).toEqual([1, 2, 3])
    } finally {
      await client.close()
    }
  })

  test.skipIf(!target.available)('the schema version is the highest one, wherever a merge put it in the list', async () => {
    const url = await target.freshUrl()
    const client = target.engine === 'sqlite' ? openSqlite(url.replace(/^sqlite:/, '')) : await openPostgres(url)
    const one: Migration = { version: 1, name: 'one', statements: ['CREATE TABLE one (id TEXT PRIMARY KEY)'] }
    const four: Migration = { version: 4, name: 'four', statements: ['CREATE TABLE four (id TEXT PRIMARY KEY)'] }
    const five: Migration = { version: 5, name: 'five', statements: ['CREATE TABLE five (id TEXT PRIMARY KEY)'] }
    try {
      expect(await migrate(client, [one, five])).toEqual({ from: 0, to: 5 })
      // 4 merged in after 5: the database (at 5) is not newer than this list.
      expect(await migrate(client, [one, five, four])).toEqual({ from: 5, to: 5 })
      const versions = await client.all<{ version: number }>('SELECT version FROM retrace_schema ORDER BY version')
      expect(versions.map((row) => Number(row.version))).toEqual([1, 4, 5])
    } finally {
      await client.close()
    }
  })
})
