import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import type { SqlClient, SqlExecutor, SqlParam, SqlValue } from '../sql/sql-client.ts'

/**
 * The embedded store's connections: one writer (every transaction serialised through it) and
 * one read-only reader beside it, on a WAL database, so reads never see a transaction in
 * progress and never wait for one.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const client = openSqlite(join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db'))
 * client.dialect // → 'sqlite'
 * (await client.all<{ one: number }>('SELECT 1 AS one'))[0]?.one // → 1
 * await client.close()
 */
export function openSqlite(file: string): SqlClient {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const writer = new DatabaseSync(file)
  // WAL: readers beside the writer. synchronous=NORMAL in WAL mode: a commit survives a crash
  // of the process (kill -9), the guarantee an ack gives (PROTOCOL.md §5.3); only an OS crash
  // or power loss may lose the last commits.
  writer.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -16384')
  const reader = file === ':memory:' ? writer : new DatabaseSync(file, { readOnly: true })
  if (reader !== writer) reader.exec('PRAGMA busy_timeout = 10000; PRAGMA cache_size = -16384')
  const writerStatements = statementCache(writer)
  const readerStatements = statementCache(reader)
  const executor = (statements: (sql: string) => StatementSync): SqlExecutor => ({
    dialect: 'sqlite',
    async all<Row>(sql: string, params: readonly SqlParam[] = []) {
      return statements(sql).all(...(params as SqlValue[])) as Row[]
    },
    async run(sql: string, params: readonly SqlParam[] = []) {
      return { changes: Number(statements(sql).run(...(params as SqlValue[])).changes) }
    },
  })
  const read = executor(readerStatements)
  const write = executor(writerStatements)
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false
  return {
    dialect: 'sqlite',
    all: read.all,
    run: write.run,
    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const next = queue.then(async () => {
        if (closed) throw new Error('the store is closed')
        writer.exec('BEGIN IMMEDIATE')
        try {
          const result = await work(write)
          writer.exec('COMMIT')
          return result
        } catch (error) {
          if (writer.isTransaction) writer.exec('ROLLBACK')
          throw error
        }
      })
      queue = next.catch(() => undefined)
      return next
    },
    async close() {
      await queue
      if (closed) return
      closed = true
      if (reader !== writer) reader.close()
      writer.close()
    },
  }
}

/** Prepared statements reused by SQL text (the ingest path runs the same few shapes). */
function statementCache(db: DatabaseSync): (sql: string) => StatementSync {
  const cache = new Map<string, StatementSync>()
  return (sql) => {
    let statement = cache.get(sql)
    if (!statement) {
      if (cache.size > 500) cache.clear()
      statement = db.prepare(sql)
      cache.set(sql, statement)
    }
    return statement
  }
}
