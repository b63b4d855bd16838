import { resolve } from 'node:path'
import { RetraceConfigError } from '@retrace/cassettes'
import { createLocalFeed } from './change-feed.ts'
import { migrate } from './sql/migrations.ts'
import { SqlStore } from './sql/sql-store.ts'
import { openSqlite } from './sqlite/sqlite-client.ts'
import type { Store } from './store.ts'

/** Which engine a database URL names, and where. */
export type StoreLocation = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string }

/**
 * Reads a database URL: `postgres://` / `postgresql://` for PostgreSQL; `sqlite:<file>`,
 * `file:<file>` or a plain path for the embedded store.
 *
 * @example
 * storeLocation('sqlite:./.retrace/retrace.db', '/srv/agent') // → { engine: 'sqlite', file: '/srv/agent/.retrace/retrace.db' }
 */
export function storeLocation(databaseUrl: string, cwd = process.cwd()): StoreLocation {
  if (/^postgres(?:ql)?:\/\//i.test(databaseUrl)) return { engine: 'postgres', url: databaseUrl }
  const sqlite = /^(?:sqlite|file):(?:\/\/)?(.*)$/i.exec(databaseUrl)
  const file = sqlite ? sqlite[1]! : databaseUrl
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !sqlite) {
    throw new RetraceConfigError('--database-url', `"${databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}" is neither a postgres:// URL nor a SQLite file.`, 'Fix: pass postgres://user:pass@host:5432/db or sqlite:./.retrace/retrace.db.')
  }
  if (!file) throw new RetraceConfigError('--database-url', 'the SQLite file name is empty.', 'Fix: pass sqlite:./.retrace/retrace.db.')
  return { engine: 'sqlite', file: file === ':memory:' ? file : resolve(cwd, file) }
}

/**
 * Opens the store a database URL names and brings its schema up to date.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const databaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-server-')), 'retrace.db')}`
 * // PostgreSQL the same way: openStore('postgres://retrace@localhost/retrace', { onFeedError: (e) => log.warn(e) })
 * const store = await openStore(databaseUrl)
 * store.engine // → 'sqlite'
 * await store.close()
 */
export async function openStore(databaseUrl: string, options: { onFeedError?: (error: Error) => void; poolSize?: number; now?: () => number } = {}): Promise<Store> {
  const location = storeLocation(databaseUrl)
  if (location.engine === 'sqlite') {
    const client = openSqlite(location.file)
    try {
      await migrate(client)
    } catch (error) {
      await client.close()
      throw error
    }
    return new SqlStore(client, createLocalFeed(), { now: options.now })
  }
  // Loaded only for PostgreSQL: the embedded store never needs the driver.
  const { openPostgres } = await import('./postgres/postgres-client.ts')
  const { openPostgresFeed } = await import('./postgres/postgres-feed.ts')
  const client = await openPostgres(location.url, options.poolSize === undefined ? {} : { max: options.poolSize })
  try {
    await migrate(client)
    const feed = await openPostgresFeed(location.url, client.pool, options.onFeedError ?? (() => {}))
    return new SqlStore(client, feed, { now: options.now })
  } catch (error) {
    await client.close()
    throw error
  }
}
