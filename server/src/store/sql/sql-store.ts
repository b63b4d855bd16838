import { randomBytes } from 'node:crypto'
import type { WireSpan } from '@retrace/protocol'
import type { ForkStore } from '../fork-store.ts'
import { SqlForkStore } from './sql-fork-store.ts'
import { createSqlDetectionStore } from './detection-store.ts'
import { createSqlShareLinkStore } from './share-link-store.ts'
import type { DetectionStore } from '../detection-record.ts'
import type { ShareLinkStore } from '../share-link.ts'
import type { ChangeFeed } from '../change-feed.ts'
import type {
  Budgets,
  CassetteTraceInput,
  CommandRecord,
  ConnectionRecord,
  IngestBatch,
  KeyRecord,
  Page,
  ProjectRecord,
  SessionSummary,
  Store,
  TraceFilter,
  TraceSort,
  TraceSummary,
} from '../store.ts'
import { applyEventToRow, emptyTraceRow, ingestInTransaction, insertSpans, insertTags, spanRow, upsertTraces } from './ingest-sql.ts'
import { encodeCursor, parseJson, toConnection, toKey, toProject, toSession, toTraceRecord, toTraceSummary } from './row-mapping.ts'
import type { SqlClient, SqlValue } from './sql-client.ts'

/** What a run cost: its own total once ended, else what its spans add up to (as the API reports it). */
const TRACE_USD = 'COALESCE(CASE WHEN end_status IS NULL THEN span_usd ELSE usd END, 0)'
const SEARCHED_COLUMNS = ['name', 'id', 'session_id', 'input', 'output']
/** Sort orders of the trace list; each page continues after the last row's (key, id). */
const TRACE_ORDER: Record<TraceSort, { key: string; direction: 'ASC' | 'DESC'; after: '<' | '>' }> = {
  newest: { key: 'sort_ms', direction: 'DESC', after: '<' },
  oldest: { key: 'sort_ms', direction: 'ASC', after: '>' },
  cost: { key: TRACE_USD, direction: 'DESC', after: '<' },
  duration: { key: 'COALESCE(duration_ms, -1)', direction: 'DESC', after: '<' },
}

/**
 * Makes an id: a prefix and 20 random base62-ish characters (never parsed, only compared).
 *
 * @example
 * newId('p').startsWith('p_') // → true
 * newId('p') === newId('p') // → false
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(15).toString('base64url')}`
}

/**
 * The repository over either engine: the same SQL on SQLite and PostgreSQL, with the
 * engine's connections behind `SqlClient`.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openSqlite } from '../../store/sqlite/sqlite-client.ts'
 * import { migrate } from '../../store/sql/migrations.ts'
 * import { createLocalFeed } from '../change-feed.ts'
 * const client = openSqlite(join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db'))
 * await migrate(client)
 * const store = new SqlStore(client, createLocalFeed())
 * store.engine // → 'sqlite'
 * await store.close()
 */
export class SqlStore implements Store {
  readonly engine: 'sqlite' | 'postgres'
  readonly feed: ChangeFeed
  readonly forks: ForkStore
  readonly shares: ShareLinkStore
  readonly detections: DetectionStore
  readonly #sql: SqlClient
  readonly #now: () => number

  constructor(sql: SqlClient, feed: ChangeFeed, options: { now?: (() => number) | undefined } = {}) {
    this.#sql = sql
    this.#now = options.now ?? Date.now
    this.feed = feed
    this.forks = new SqlForkStore(sql)
    this.shares = createSqlShareLinkStore(sql)
    this.detections = createSqlDetectionStore(sql)
    this.engine = sql.dialect
  }

  async bootstrap(key: { id: string; hash: string; prefix: string }): Promise<{ project: ProjectRecord; keyId: string } | undefined> {
    return this.#sql.transaction(
      async (tx) => {
        const [existing] = await tx.all('SELECT id FROM projects LIMIT 1')
        if (existing) return undefined
        const now = Date.now()
        const accountId = newId('acct')
        const projectId = newId('p')
        await tx.run('INSERT INTO accounts (id, name, created_ms) VALUES (?, ?, ?)', [accountId, 'default', now])
        await tx.run('INSERT INTO projects (id, account_id, name, created_ms) VALUES (?, ?, ?, ?)', [projectId, accountId, 'default', now])
        await tx.run('INSERT INTO api_keys (id, project_id, account_id, name, prefix, hash, scopes, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
          key.id, projectId, accountId, 'first key', key.prefix, key.hash, 'ingest,read,admin', now,
        ])
        const [row] = await tx.all('SELECT * FROM projects WHERE id = ?', [projectId])
        return { project: toProject(row!), keyId: key.id }
      },
      { lock: 'retrace_bootstrap' },
    )
  }

  async createProject(accountId: string, name: string): Promise<ProjectRecord> {
    const id = newId('p')
    const now = Date.now()
    await this.#sql.transaction((tx) => tx.run('INSERT INTO projects (id, account_id, name, created_ms) VALUES (?, ?, ?, ?)', [id, accountId, name, now]))
    return (await this.getProject(id))!
  }

  async getProject(projectId: string): Promise<ProjectRecord | undefined> {
    const [row] = await this.#sql.all('SELECT * FROM projects WHERE id = ?', [projectId])
    return row ? toProject(row) : undefined
  }

  async updateProject(projectId: string, patch: { name?: string | undefined; budgets?: Partial<Budgets> | undefined; maxEventsPerDay?: number | null | undefined }): Promise<ProjectRecord | undefined> {
    const sets: string[] = []
    const params: SqlValue[] = []
    const set = (column: string, value: SqlValue | undefined) => {
      if (value === undefined) return
      sets.push(`${column} = ?`)
      params.push(value)
    }
    set('name', patch.name)
    set('usd_per_day', patch.budgets?.usdPerDay)
    set('steps_per_run', patch.budgets?.stepsPerRun)
    set('usd_per_run', patch.budgets?.usdPerRun)
    set('max_events_per_day', patch.maxEventsPerDay)
    if (sets.length) await this.#sql.transaction((tx) => tx.run(`UPDATE projects SET ${sets.join(', ')} WHERE id = ?`, [...params, projectId]))
    return this.getProject(projectId)
  }

  async createKey(key: { id: string; projectId: string; accountId: string; name: string; prefix: string; hash: string; scopes: KeyRecord['scopes']; rateLimit?: number | null | undefined }): Promise<KeyRecord> {
    const now = Date.now()
    const rateLimit = key.rateLimit ?? null
    await this.#sql.transaction((tx) =>
      tx.run('INSERT INTO api_keys (id, project_id, account_id, name, prefix, hash, scopes, created_ms, rate_limit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        key.id, key.projectId, key.accountId, key.name, key.prefix, key.hash, key.scopes.join(','), now, rateLimit,
      ]),
    )
    return { id: key.id, projectId: key.projectId, accountId: key.accountId, name: key.name, prefix: key.prefix, scopes: key.scopes, createdAt: new Date(now).toISOString(), revokedAt: null, rateLimit }
  }

  async updateKey(projectId: string, keyId: string, patch: { name?: string | undefined; rateLimit?: number | null | undefined }): Promise<KeyRecord | undefined> {
    const sets: string[] = []
    const params: SqlValue[] = []
    if (patch.name !== undefined) sets.push('name = ?'), params.push(patch.name)
    if (patch.rateLimit !== undefined) sets.push('rate_limit = ?'), params.push(patch.rateLimit)
    if (sets.length) await this.#sql.transaction((tx) => tx.run(`UPDATE api_keys SET ${sets.join(', ')} WHERE id = ? AND project_id = ?`, [...params, keyId, projectId]))
    const [row] = await this.#sql.all('SELECT * FROM api_keys WHERE id = ? AND project_id = ?', [keyId, projectId])
    return row ? toKey(row) : undefined
  }

  async findKeyByHash(hash: string): Promise<KeyRecord | undefined> {
    const [row] = await this.#sql.all('SELECT * FROM api_keys WHERE hash = ?', [hash])
    return row ? toKey(row) : undefined
  }

  async listKeys(projectId: string): Promise<KeyRecord[]> {
    return (await this.#sql.all('SELECT * FROM api_keys WHERE project_id = ? ORDER BY created_ms, id', [projectId])).map(toKey)
  }

  async revokeKey(projectId: string, keyId: string): Promise<KeyRecord | undefined> {
    await this.#sql.transaction((tx) => tx.run('UPDATE api_keys SET revoked_ms = ? WHERE id = ? AND project_id = ? AND revoked_ms IS NULL', [Date.now(), keyId, projectId]))
    const [row] = await this.#sql.all('SELECT * FROM api_keys WHERE id = ? AND project_id = ?', [keyId, projectId])
    return row ? toKey(row) : undefined
  }

  ingest(batches: readonly IngestBatch[]) {
    return this.#sql.transaction((tx) => ingestInTransaction(tx, batches, this.#now()))
  }

  async pruneEventIds(beforeMs: number, limit: number): Promise<number> {
    // Oldest first through the received_ms index; one process at a time on PostgreSQL.
    const sql = 'DELETE FROM events WHERE (account_id, id) IN (SELECT account_id, id FROM events WHERE received_ms < ? ORDER BY received_ms LIMIT ?)'
    return this.#sql.transaction(async (tx) => (await tx.run(sql, [beforeMs, limit])).changes, { lock: 'retrace_prune_events' })
  }

  async usageOn(projectId: string, day: string): Promise<{ events: number; usd: number }> {
    const [row] = await this.#sql.all<{ events: number; usd: number }>('SELECT events, usd FROM usage_daily WHERE project_id = ? AND day = ?', [projectId, day])
    return { events: Number(row?.events ?? 0), usd: Number(row?.usd ?? 0) }
  }

  async listTraces(projectId: string, filter: TraceFilter): Promise<Page<TraceSummary>> {
    const where = ['project_id = ?']
    const params: SqlValue[] = [projectId]
    if (filter.name !== undefined) where.push('name = ?'), params.push(filter.name)
    if (filter.sessionId !== undefined) where.push('session_id = ?'), params.push(filter.sessionId)
    if (filter.status === 'running') where.push('end_status IS NULL')
    else if (filter.status !== undefined) where.push('end_status = ?'), params.push(filter.status)
    if (filter.tag !== undefined) where.push('EXISTS (SELECT 1 FROM trace_tags t WHERE t.project_id = traces.project_id AND t.tag = ? AND t.trace_id = traces.id)'), params.push(filter.tag)
    if (filter.fromMs !== undefined) where.push('sort_ms >= ?'), params.push(filter.fromMs)
    if (filter.toMs !== undefined) where.push('sort_ms < ?'), params.push(filter.toMs)
    if (filter.hasError === true) where.push("(error_count > 0 OR end_status = 'failed')")
    if (filter.hasError === false) where.push("(error_count = 0 AND (end_status IS NULL OR end_status <> 'failed'))")
    if (filter.lossy !== undefined) where.push('lossy = ?'), params.push(filter.lossy ? 1 : 0)
    if (filter.search !== undefined) {
      const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      where.push(`(${SEARCHED_COLUMNS.map((column) => `LOWER(COALESCE(${column}, '')) LIKE ? ESCAPE '\\'`).join(' OR ')})`)
      params.push(...SEARCHED_COLUMNS.map(() => pattern))
    }
    if (filter.minUsd !== undefined) where.push(`${TRACE_USD} >= ?`), params.push(filter.minUsd)
    if (filter.maxUsd !== undefined) where.push(`${TRACE_USD} <= ?`), params.push(filter.maxUsd)
    const order = TRACE_ORDER[filter.sort ?? 'newest']
    if (filter.after) where.push(`(${order.key} ${order.after} ? OR (${order.key} = ? AND id ${order.after} ?))`), params.push(filter.after[0], filter.after[0], filter.after[1])
    const rows = await this.#sql.all(`SELECT *, ${order.key} AS page_key FROM traces WHERE ${where.join(' AND ')} ORDER BY ${order.key} ${order.direction}, id ${order.direction} LIMIT ?`, [...params, filter.limit + 1])
    const items = rows.slice(0, filter.limit)
    const last = items[items.length - 1]
    return { items: items.map(toTraceSummary), nextCursor: rows.length > filter.limit && last ? encodeCursor([Number(last.page_key), String(last.id)]) : null }
  }

  async getTrace(projectId: string, traceId: string) {
    const [row] = await this.#sql.all('SELECT * FROM traces WHERE project_id = ? AND id = ?', [projectId, traceId])
    if (!row) return undefined
    const spans = await this.#sql.all<{ data: string }>('SELECT data FROM spans WHERE project_id = ? AND trace_id = ? ORDER BY started_ms, id', [projectId, traceId])
    return { trace: toTraceRecord(row), spans: spans.map((span) => parseJson<WireSpan>(span.data)).filter((span): span is WireSpan => span !== null) }
  }

  async listSessions(projectId: string, options: { limit: number; after?: [number, string] | undefined }): Promise<Page<SessionSummary>> {
    const params: SqlValue[] = [projectId]
    let having = ''
    if (options.after) {
      having = 'HAVING (MAX(sort_ms) < ? OR (MAX(sort_ms) = ? AND session_id < ?))'
      params.push(options.after[0], options.after[0], options.after[1])
    }
    const rows = await this.#sql.all(`${SESSION_SELECT} WHERE project_id = ? AND session_id IS NOT NULL GROUP BY session_id ${having} ORDER BY MAX(sort_ms) DESC, session_id DESC LIMIT ?`, [...params, options.limit + 1])
    const items = rows.slice(0, options.limit)
    const last = items[items.length - 1]
    return { items: items.map(toSession), nextCursor: rows.length > options.limit && last ? encodeCursor([Number(last.last_ms), String(last.session_id)]) : null }
  }

  async getSession(projectId: string, sessionId: string) {
    const [row] = await this.#sql.all(`${SESSION_SELECT} WHERE project_id = ? AND session_id = ? GROUP BY session_id`, [projectId, sessionId])
    if (!row) return undefined
    const traces = await this.#sql.all('SELECT * FROM traces WHERE project_id = ? AND session_id = ? ORDER BY sort_ms, id LIMIT 1000', [projectId, sessionId])
    return { session: toSession(row), traces: traces.map(toTraceSummary) }
  }

  async findCassetteTrace(projectId: string, contentHash: string): Promise<string | undefined> {
    const [row] = await this.#sql.all<{ trace_id: string }>('SELECT trace_id FROM cassettes WHERE project_id = ? AND content_hash = ?', [projectId, contentHash])
    return row?.trace_id
  }

  async storeCassetteTrace(input: CassetteTraceInput): Promise<{ traceId: string; created: boolean }> {
    return this.#sql.transaction(async (tx) => {
      const inserted = await tx.all<{ trace_id: string }>(
        'INSERT INTO cassettes (project_id, content_hash, trace_id, body, created_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, content_hash) DO NOTHING RETURNING trace_id',
        [input.projectId, input.contentHash, input.start.id, input.body, Date.now()],
      )
      if (!inserted.length) return { traceId: (await this.findCassetteTraceIn(tx, input.projectId, input.contentHash)) ?? input.start.id, created: false }
      const now = Date.now()
      const row = emptyTraceRow(input.projectId, input.start.id, now)
      applyEventToRow(row, { type: 'trace.start', id: `${input.start.id}:start`, trace: input.start })
      for (const span of input.spans) applyEventToRow(row, { type: 'span', id: span.id, span })
      applyEventToRow(row, { type: 'trace.end', id: `${input.start.id}:end`, trace: { id: input.start.id, ...input.end } })
      row.source = 'cassette'
      row.git = input.git ? JSON.stringify(input.git) : null
      await insertSpans(tx, input.spans.map((span) => spanRow(input.projectId, span)))
      await upsertTraces(tx, [row])
      await insertTags(tx, [[input.projectId, 'cassette', input.start.id]])
      return { traceId: input.start.id, created: true }
    })
  }

  private async findCassetteTraceIn(tx: { all: SqlClient['all'] }, projectId: string, contentHash: string): Promise<string | undefined> {
    const [row] = await tx.all<{ trace_id: string }>('SELECT trace_id FROM cassettes WHERE project_id = ? AND content_hash = ?', [projectId, contentHash])
    return row?.trace_id
  }

  async getCassetteBody(projectId: string, traceId: string): Promise<string | undefined> {
    const [row] = await this.#sql.all<{ body: string }>('SELECT body FROM cassettes WHERE project_id = ? AND trace_id = ? LIMIT 1', [projectId, traceId])
    return row?.body
  }

  async registerServer(serverId: string): Promise<void> {
    const now = Date.now()
    await this.#sql.transaction(async (tx) => {
      await tx.run('INSERT INTO server_instances (id, started_ms, heartbeat_ms) VALUES (?, ?, ?)', [serverId, now, now])
      // Connections of processes that died without saying so (kill -9) are forgotten after a minute.
      await tx.run('DELETE FROM connections WHERE server_id IN (SELECT id FROM server_instances WHERE heartbeat_ms < ?)', [now - STALE_SERVER_MS])
      await tx.run('DELETE FROM server_instances WHERE heartbeat_ms < ?', [now - STALE_SERVER_MS])
    })
  }

  async heartbeat(serverId: string): Promise<void> {
    await this.#sql.transaction((tx) => tx.run('UPDATE server_instances SET heartbeat_ms = ? WHERE id = ?', [Date.now(), serverId]))
  }

  async unregisterServer(serverId: string): Promise<void> {
    await this.#sql.transaction(async (tx) => {
      await tx.run('DELETE FROM connections WHERE server_id = ?', [serverId])
      await tx.run('DELETE FROM server_instances WHERE id = ?', [serverId])
    })
  }

  async saveConnection(connection: ConnectionRecord): Promise<void> {
    const row: SqlValue[] = [
      connection.id, connection.serverId, connection.projectId, connection.keyId, connection.instanceId, connection.sdk, connection.runtime,
      JSON.stringify(connection.resumable), Date.parse(connection.connectedAt), connection.registeredAt === null ? null : Date.parse(connection.registeredAt),
    ]
    await this.#sql.transaction((tx) =>
      tx.run(
        `INSERT INTO connections (id, server_id, project_id, key_id, instance_id, sdk, runtime, resumable, connected_ms, registered_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, sdk = excluded.sdk, runtime = excluded.runtime, resumable = excluded.resumable, registered_ms = excluded.registered_ms`,
        row,
      ),
    )
  }

  async removeConnection(connectionId: string): Promise<void> {
    await this.#sql.transaction((tx) => tx.run('DELETE FROM connections WHERE id = ?', [connectionId]))
  }

  async listConnections(projectId: string, aliveWithinMs: number): Promise<ConnectionRecord[]> {
    const rows = await this.#sql.all(
      'SELECT c.* FROM connections c JOIN server_instances s ON s.id = c.server_id WHERE c.project_id = ? AND s.heartbeat_ms >= ? ORDER BY c.connected_ms, c.id',
      [projectId, Date.now() - aliveWithinMs],
    )
    return rows.map(toConnection)
  }

  async getConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    const [row] = await this.#sql.all('SELECT * FROM connections WHERE id = ?', [connectionId])
    return row ? toConnection(row) : undefined
  }

  async enqueueCommand(command: CommandRecord): Promise<void> {
    await this.#sql.transaction((tx) =>
      tx.run('INSERT INTO commands (id, server_id, connection_id, payload, created_ms) VALUES (?, ?, ?, ?, ?)', [command.id, command.serverId, command.connectionId, command.payload, Date.now()]),
    )
  }

  async takeCommand(commandId: string): Promise<CommandRecord | undefined> {
    return this.#sql.transaction(async (tx) => {
      const rows = await tx.all<{ id: string; server_id: string; connection_id: string; payload: string }>(
        'UPDATE commands SET delivered_ms = ? WHERE id = ? AND delivered_ms IS NULL RETURNING id, server_id, connection_id, payload',
        [Date.now(), commandId],
      )
      const row = rows[0]
      return row ? { id: row.id, serverId: row.server_id, connectionId: row.connection_id, payload: row.payload } : undefined
    })
  }

  async close(): Promise<void> {
    await this.feed.close()
    await this.#sql.close()
  }
}

/** A server whose heartbeat is older than this is taken as dead (its connections with it). */
export const STALE_SERVER_MS = 60_000

const SESSION_SELECT = `SELECT session_id, COUNT(*) AS traces, MIN(sort_ms) AS first_ms, MAX(sort_ms) AS last_ms,
  SUM(CASE WHEN end_status IS NULL THEN span_usd ELSE usd END) AS usd,
  SUM(CASE WHEN end_status IS NULL THEN span_in_tokens ELSE in_tokens END) AS in_tokens,
  SUM(CASE WHEN end_status IS NULL THEN span_out_tokens ELSE out_tokens END) AS out_tokens,
  SUM(CASE WHEN error_count > 0 OR end_status = 'failed' THEN 1 ELSE 0 END) AS errors
  FROM traces`

