/** A value bound to a `?` placeholder. Booleans are stored as 0/1 on both engines. */
export type SqlValue = string | number | null
/** A bound parameter: a value, or (PostgreSQL only, for `unnest`) an array of values. */
export type SqlParam = SqlValue | readonly SqlValue[]

/** Runs statements. SQL uses `?` placeholders; the PostgreSQL client numbers them. */
export interface SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres'
  all<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>
  run(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>
}

/**
 * One connection pool to one database, either engine. Reads go beside the writer (a separate
 * read connection on SQLite, the pool on PostgreSQL); writes go through `transaction`.
 */
export interface SqlClient extends SqlExecutor {
  /**
   * Runs `work` in one transaction and commits it (rolls back if it throws). On SQLite every
   * transaction is serialised through the one writer connection. `lock` takes a
   * database-wide advisory lock for the transaction on PostgreSQL (migrations, first-start
   * set-up run once even when several servers start together).
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: { lock?: string }): Promise<T>
  close(): Promise<void>
}

/**
 * `(?, ?, …)` rows for a multi-row `VALUES`, `rows` rows of `columns` placeholders.
 *
 * @example
 * valuesList(2, 3) // → '(?,?,?),(?,?,?)'
 */
export function valuesList(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(',')})`
  return Array.from({ length: rows }, () => row).join(',')
}

/** Both engines take at least this many bound parameters in one statement (SQLite: 32,766). */
export const MAX_PARAMS = 30_000

/**
 * Splits `rows` into chunks small enough for one statement each.
 *
 * @example
 * // In a transaction: for (const chunk of chunksFor(rows, 6)) await tx.run(`INSERT INTO t VALUES ${valuesList(chunk.length, 6)}`, chunk.flat())
 * // At most MAX_PARAMS (30,000) bound values a statement: 5,000 rows of 6 columns.
 * const rows = Array.from({ length: 6000 }, (_, index) => [index, 2, 3, 4, 5, 6])
 * chunksFor(rows, 6).map((chunk) => chunk.length) // → [5000, 1000]
 */
export function chunksFor<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / columns))
  const chunks: T[][] = []
  for (let index = 0; index < rows.length; index += size) chunks.push(rows.slice(index, index + size))
  return chunks
}
