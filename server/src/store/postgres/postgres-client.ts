import pg from 'pg'
import { StoreUnavailableError } from '../../errors/server-errors.ts'
import type { SqlClient, SqlExecutor, SqlParam } from '../sql/sql-client.ts'

// BIGINT (int8) and NUMERIC come back as strings by default; every one we store (epoch ms,
// counts) is a safe integer or a plain number.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format)
  },
}

/** Deadlock detected, serialization failure: the transaction did nothing and can run again. */
const RETRYABLE = new Set(['40P01', '40001'])
const MAX_ATTEMPTS = 3

/**
 * A PostgreSQL connection pool behind the shared `SqlClient` port. `?` placeholders are
 * numbered (`$1`, `$2`, …) once per statement text.
 *
 * @example
 * import { StoreUnavailableError } from '../../errors/server-errors.ts'
 * // With a PostgreSQL server: const client = await openPostgres('postgres://retrace@db/retrace')
 * // Nothing listening there: a typed error naming the database and the fix, no stack.
 * const error = await openPostgres('postgres://retrace@127.0.0.1:1/retrace').catch((error: StoreUnavailableError) => error)
 * error instanceof StoreUnavailableError // → true
 * error.message.startsWith('cannot reach PostgreSQL at 127.0.0.1:1/retrace') // → true
 */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<SqlClient & { pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types, application_name: 'retrace-server' })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  try {
    const client = await pool.connect()
    client.release()
  } catch (error) {
    await pool.end().catch(() => {})
    throw new StoreUnavailableError(`cannot reach PostgreSQL at ${describeUrl(url)} (${(error as Error).message}): check --database-url and that the server is up`, { cause: error })
  }
  const numbered = new Map<string, string>()
  const text = (sql: string) => {
    let out = numbered.get(sql)
    if (out === undefined) {
      let n = 0
      out = sql.replace(/\?/g, () => `$${++n}`)
      if (numbered.size > 500) numbered.clear()
      numbered.set(sql, out)
    }
    return out
  }
  const executor = (target: pg.Pool | pg.PoolClient): SqlExecutor => ({
    dialect: 'postgres',
    async all<Row>(sql: string, params: readonly SqlParam[] = []) {
      return (await target.query(text(sql), params as unknown[])).rows as Row[]
    },
    async run(sql: string, params: readonly SqlParam[] = []) {
      return { changes: (await target.query(text(sql), params as unknown[])).rowCount ?? 0 }
    },
  })
  const shared = executor(pool)
  return {
    dialect: 'postgres',
    pool,
    all: shared.all,
    run: shared.run,
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, transactionOptions: { lock?: string } = {}): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect()
        try {
          await client.query('BEGIN')
          if (transactionOptions.lock) await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [transactionOptions.lock])
          const result = await work(executor(client))
          await client.query('COMMIT')
          return result
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {})
          // Concurrent writers take row locks in key order, but a database whose collation
          // orders keys differently can still make two of them wait for each other: PostgreSQL
          // aborts one, and it runs again (nothing of it was committed).
          if (attempt < MAX_ATTEMPTS && RETRYABLE.has((error as { code?: string }).code ?? '')) continue
          throw error
        } finally {
          client.release()
        }
      }
    },
    async close() {
      await pool.end()
    },
  }
}

/**
 * The URL without its password, for messages.
 *
 * @example
 * describeUrl('postgres://retrace:s3cret@db.internal:5432/retrace') // → 'db.internal:5432/retrace'
 * describeUrl('not a url') // → 'the given URL'
 */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`
  } catch {
    return 'the given URL'
  }
}
