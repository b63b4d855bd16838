import type { WireEvent, WireSpan } from '@retrace/protocol'
import type { IngestBatch, IngestCounts } from '../store.ts'
import { chunksFor, valuesList, type SqlExecutor, type SqlValue } from './sql-client.ts'

// The ingest write path, the same SQL on both engines: multi-row statements (one round trip
// per few thousand rows on PostgreSQL), rows sorted by key so two server processes writing
// the same traces take their row locks in the same order and never deadlock.

/** The columns of `traces`, in insert order; a delta fills what its events know. */
export const TRACE_COLUMNS = [
  'project_id', 'id', 'name', 'session_id', 'started_at', 'started_ms', 'ended_at', 'end_status', 'tags', 'metadata', 'input', 'output', 'error',
  'resumable', 'fork_of', 'fork_point_step', 'fork_id', 'in_tokens', 'out_tokens', 'usd', 'duration_ms', 'lossy', 'dropped_events', 'terminated_early', 'truncated',
  'span_count', 'llm_count', 'error_count', 'span_usd', 'span_in_tokens', 'span_out_tokens', 'source', 'git', 'sort_ms', 'first_seen_ms', 'updated_ms',
] as const

type TraceColumn = (typeof TRACE_COLUMNS)[number]
export type TraceRow = Record<TraceColumn, SqlValue>

// First value wins for what a start or an end says (each is stored once, and a second one
// under another event id must not overwrite it); counters add up; flags only ever turn on.
const FIRST_WINS: readonly TraceColumn[] = [
  'name', 'session_id', 'started_at', 'started_ms', 'ended_at', 'end_status', 'tags', 'metadata', 'input', 'output', 'error',
  'fork_of', 'fork_point_step', 'fork_id', 'in_tokens', 'out_tokens', 'usd', 'duration_ms', 'dropped_events', 'git',
]
const ADDED: readonly TraceColumn[] = ['span_count', 'llm_count', 'error_count', 'span_usd', 'span_in_tokens', 'span_out_tokens']
const FLAGS: readonly TraceColumn[] = ['resumable', 'lossy', 'terminated_early', 'truncated']

/**
 * The upsert that merges trace deltas into `traces`, for `rows` rows.
 *
 * @example
 * const sql = traceUpsertSql(2)
 * sql.startsWith('INSERT INTO traces (project_id, id, name') // → true
 * sql.includes('ON CONFLICT (project_id, id) DO UPDATE SET name = COALESCE(traces.name, excluded.name)') // → true
 */
export function traceUpsertSql(rows: number): string {
  const set = [
    ...FIRST_WINS.map((column) => `${column} = COALESCE(traces.${column}, excluded.${column})`),
    ...ADDED.map((column) => `${column} = traces.${column} + excluded.${column}`),
    ...FLAGS.map((column) => `${column} = traces.${column} | excluded.${column}`),
    // A trace sorts by its start time once known, else by its earliest span.
    `sort_ms = CASE WHEN traces.started_ms IS NOT NULL THEN traces.sort_ms WHEN excluded.started_ms IS NOT NULL THEN excluded.sort_ms
      WHEN excluded.sort_ms < traces.sort_ms THEN excluded.sort_ms ELSE traces.sort_ms END`,
    'updated_ms = excluded.updated_ms',
  ]
  return `INSERT INTO traces (${TRACE_COLUMNS.join(', ')}) VALUES ${valuesList(rows, TRACE_COLUMNS.length)}
    ON CONFLICT (project_id, id) DO UPDATE SET ${set.join(', ')}`
}

/**
 * An empty delta for one trace: nothing known, nothing counted.
 *
 * @example
 * const row = emptyTraceRow('p1', 'tr_1', 1000)
 * ;[row.id, row.name, row.span_count, row.sort_ms] // → ['tr_1', null, 0, 1000]
 */
export function emptyTraceRow(projectId: string, traceId: string, nowMs: number): TraceRow {
  const row = Object.fromEntries(TRACE_COLUMNS.map((column) => [column, null])) as TraceRow
  Object.assign(row, { project_id: projectId, id: traceId, resumable: 0, lossy: 0, terminated_early: 0, truncated: 0, span_count: 0, llm_count: 0, error_count: 0, span_usd: 0, span_in_tokens: 0, span_out_tokens: 0, source: 'sdk', sort_ms: nowMs, first_seen_ms: nowMs, updated_ms: nowMs })
  return row
}

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value))
const flag = (value: boolean | undefined): number => (value ? 1 : 0)

/**
 * Epoch ms of an ISO timestamp; undefined for text that is not one.
 *
 * @example
 * timeOf('1970-01-01T00:00:01.000Z') // → 1000
 * timeOf('soon') // → undefined
 */
export function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined
  const ms = Date.parse(iso)
  return Number.isFinite(ms) ? ms : undefined
}

/**
 * The trace an event belongs to.
 *
 * @example
 * const start = { type: 'trace.start' as const, id: 'tr_1:start', trace: { id: 'tr_1', name: 'weather', startedAt: '2026-03-01T10:00:00.000Z', tags: ['prod'] } }
 * const span = { id: 'sp_1', traceId: 'tr_1', kind: 'tool' as const, name: 'get_weather', startedAt: '2026-03-01T10:00:01.000Z', endedAt: '2026-03-01T10:00:02.000Z', durationMs: 1000, status: 'ok' as const }
 * traceIdOf(start) // → 'tr_1'
 * traceIdOf({ type: 'span', id: 'sp_1', span }) // → 'tr_1'
 */
export function traceIdOf(event: WireEvent): string {
  switch (event.type) {
    case 'trace.start':
    case 'trace.end':
      return event.trace.id
    case 'span':
      return event.span.traceId
    case 'trace.lossy':
      return event.lossy.traceId
  }
}

/**
 * Folds one new event into its trace's delta (and lists its span and tags).
 *
 * @example
 * const start = { type: 'trace.start' as const, id: 'tr_1:start', trace: { id: 'tr_1', name: 'weather', startedAt: '2026-03-01T10:00:00.000Z', tags: ['prod'] } }
 * const span = { id: 'sp_1', traceId: 'tr_1', kind: 'tool' as const, name: 'get_weather', startedAt: '2026-03-01T10:00:01.000Z', endedAt: '2026-03-01T10:00:02.000Z', durationMs: 1000, status: 'ok' as const }
 * const row = emptyTraceRow('p1', 'tr_1', 0)
 * applyEventToRow(row, { type: 'span', id: 'sp_1', span })
 * applyEventToRow(row, start)
 * ;[row.name, row.tags, row.span_count, row.sort_ms] // → ['weather', '["prod"]', 1, Date.parse('2026-03-01T10:00:00.000Z')]
 */
export function applyEventToRow(row: TraceRow, event: WireEvent): void {
  switch (event.type) {
    case 'trace.start': {
      const trace = event.trace
      const startedMs = timeOf(trace.startedAt)
      Object.assign(row, {
        name: row.name ?? trace.name,
        session_id: row.session_id ?? trace.sessionId ?? null,
        started_at: row.started_at ?? trace.startedAt,
        started_ms: row.started_ms ?? startedMs ?? null,
        tags: row.tags ?? json(trace.tags),
        metadata: row.metadata ?? json(trace.metadata),
        input: row.input ?? json(trace.input),
        resumable: row.resumable || flag(trace.resumable),
        fork_of: row.fork_of ?? trace.forkOf ?? null,
        fork_point_step: row.fork_point_step ?? trace.forkPointStep ?? null,
        fork_id: row.fork_id ?? trace.forkId ?? null,
      })
      if (startedMs !== undefined) row.sort_ms = startedMs
      return
    }
    case 'trace.end': {
      const trace = event.trace
      if (row.end_status !== null) return
      Object.assign(row, {
        ended_at: trace.endedAt,
        end_status: trace.status,
        output: json(trace.output),
        error: json(trace.error),
        in_tokens: trace.totals.inputTokens,
        out_tokens: trace.totals.outputTokens,
        usd: trace.totals.usd,
        duration_ms: trace.totals.durationMs,
        lossy: row.lossy || flag(trace.lossy),
        terminated_early: row.terminated_early || flag(trace.terminatedEarly),
        truncated: row.truncated || flag(trace.truncated),
      })
      return
    }
    case 'span': {
      const span = event.span
      row.span_count = Number(row.span_count) + 1
      if (span.status === 'error' || span.kind === 'error') row.error_count = Number(row.error_count) + 1
      if (span.step) {
        row.llm_count = Number(row.llm_count) + 1
        row.span_usd = Number(row.span_usd) + (span.step.costUsd ?? 0)
        row.span_in_tokens = Number(row.span_in_tokens) + (span.step.usage?.inputTokens ?? 0)
        row.span_out_tokens = Number(row.span_out_tokens) + (span.step.usage?.outputTokens ?? 0)
      }
      if (span.truncated) row.truncated = 1
      const startedMs = timeOf(span.startedAt)
      if (row.started_ms === null && startedMs !== undefined && startedMs < Number(row.sort_ms)) row.sort_ms = startedMs
      return
    }
    case 'trace.lossy':
      row.lossy = 1
      row.dropped_events = row.dropped_events ?? event.lossy.droppedEvents ?? null
      return
  }
}

/**
 * The row of `spans` for a span.
 *
 * @example
 * const span = { id: 'sp_1', traceId: 'tr_1', kind: 'tool' as const, name: 'get_weather', startedAt: '2026-03-01T10:00:01.000Z', endedAt: '2026-03-01T10:00:02.000Z', durationMs: 1000, status: 'ok' as const }
 * spanRow('p1', span).slice(0, 6) // → ['p1', 'tr_1', 'sp_1', null, 'tool', Date.parse('2026-03-01T10:00:01.000Z')]
 */
export function spanRow(projectId: string, span: WireSpan): SqlValue[] {
  return [projectId, span.traceId, span.id, span.parentId ?? null, span.kind, timeOf(span.startedAt) ?? null, JSON.stringify(span)]
}

/**
 * Rows as one array per column, for PostgreSQL's `unnest`: one short statement (planned
 * once, cached by the server) however many rows, where a multi-row VALUES list would be
 * parsed and planned anew for every size.
 */
function columnsOf(rows: readonly SqlValue[][], width: number): SqlValue[][] {
  const columns: SqlValue[][] = Array.from({ length: width }, () => [])
  for (const row of rows) for (let i = 0; i < width; i++) columns[i]!.push(row[i] ?? null)
  return columns
}

/**
 * Inserts span rows (`spanRow`), keeping the first of each id: `unnest` arrays in one
 * statement on PostgreSQL, a prepared single-row insert per row on SQLite.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openSqlite } from '../sqlite/sqlite-client.ts'
 * import { migrate } from './migrations.ts'
 * const client = openSqlite(join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db'))
 * await migrate(client)
 * const span = { id: 'sp_1', traceId: 'tr_1', kind: 'tool' as const, name: 'get_weather', startedAt: '2026-03-01T10:00:01.000Z', endedAt: '2026-03-01T10:00:02.000Z', durationMs: 1000, status: 'ok' as const }
 * await client.transaction((tx) => insertSpans(tx, [spanRow('p1', span), spanRow('p1', span)]))
 * (await client.all<{ n: number }>('SELECT COUNT(*) AS n FROM spans'))[0]?.n // → 1
 * await client.close()
 */
export async function insertSpans(tx: SqlExecutor, rows: SqlValue[][]): Promise<void> {
  if (tx.dialect === 'postgres') {
    if (rows.length) await tx.run('INSERT INTO spans (project_id, trace_id, id, parent_id, kind, started_ms, data) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[]) ON CONFLICT DO NOTHING', columnsOf(rows, 7))
    return
  }
  // SQLite runs in-process: one prepared single-row statement, executed per row, is as fast as
  // a multi-row one and keeps the statement cache to a few entries.
  for (const row of rows) await tx.run('INSERT INTO spans (project_id, trace_id, id, parent_id, kind, started_ms, data) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', row)
}

/**
 * Merges trace deltas into `traces` (`traceUpsertSql`), in key order so that two processes
 * lock the same rows in the same order.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openSqlite } from '../sqlite/sqlite-client.ts'
 * import { migrate } from './migrations.ts'
 * const client = openSqlite(join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db'))
 * await migrate(client)
 * const start = { type: 'trace.start' as const, id: 'tr_1:start', trace: { id: 'tr_1', name: 'weather', startedAt: '2026-03-01T10:00:00.000Z', tags: ['prod'] } }
 * const row = emptyTraceRow('p1', 'tr_1', 0)
 * applyEventToRow(row, start)
 * await client.transaction((tx) => upsertTraces(tx, [row]))
 * await client.transaction((tx) => upsertTraces(tx, [{ ...emptyTraceRow('p1', 'tr_1', 0), name: 'renamed' }]))
 * // The first name stored wins:
 * (await client.all<{ name: string }>('SELECT name FROM traces'))[0]?.name // → 'weather'
 * await client.close()
 */
export async function upsertTraces(tx: SqlExecutor, rows: TraceRow[]): Promise<void> {
  const sorted = [...rows].sort((a, b) => compare(`${a.project_id}\u0000${a.id}`, `${b.project_id}\u0000${b.id}`))
  const values = (row: TraceRow) => TRACE_COLUMNS.map((column) => row[column])
  if (tx.dialect === 'sqlite') {
    for (const row of sorted) await tx.run(traceUpsertSql(1), values(row))
    return
  }
  for (const chunk of chunksFor(sorted, TRACE_COLUMNS.length)) await tx.run(traceUpsertSql(chunk.length), chunk.flatMap(values))
}

/**
 * Inserts `[projectId, tag, traceId]` rows into `trace_tags`, once each.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openSqlite } from '../sqlite/sqlite-client.ts'
 * import { migrate } from './migrations.ts'
 * const client = openSqlite(join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db'))
 * await migrate(client)
 * await client.transaction((tx) => insertTags(tx, [['p1', 'prod', 'tr_1'], ['p1', 'prod', 'tr_1']]))
 * (await client.all('SELECT tag, trace_id FROM trace_tags')).map((row) => ({ ...row })) // → [{ tag: 'prod', trace_id: 'tr_1' }]
 * await client.close()
 */
export async function insertTags(tx: SqlExecutor, rows: SqlValue[][]): Promise<void> {
  if (tx.dialect === 'postgres') {
    if (rows.length) await tx.run('INSERT INTO trace_tags (project_id, tag, trace_id) SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ON CONFLICT DO NOTHING', columnsOf(rows, 3))
    return
  }
  for (const row of rows) await tx.run('INSERT INTO trace_tags (project_id, tag, trace_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', row)
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The UTC day of an epoch ms, `YYYY-MM-DD`.
 *
 * @example
 * dayOf(Date.parse('2026-03-01T23:59:59.000Z')) // → '2026-03-01'
 */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * Stores batches in the caller's transaction. Each event id is kept once per account (the
 * first one; later ones count as duplicates), including repeats inside the same transaction;
 * traces are rebuilt from ids whatever the arrival order.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { createLocalFeed } from '../change-feed.ts'
 * import { openSqlite } from '../sqlite/sqlite-client.ts'
 * import { migrate } from './migrations.ts'
 * import { SqlStore } from './sql-store.ts'
 * const client = openSqlite(join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db'))
 * await migrate(client)
 * const store = new SqlStore(client, createLocalFeed())
 * const { project } = (await store.bootstrap(generateApiKey()))!
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const exchange = (text: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } } },
 * })
 * const llm = (traceId: string, n: number, text: string) => ({
 *   id: `${traceId}.${n}`, traceId, kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 *   interaction: exchange(text),
 * })
 * // One run as the SDK streams it: its start, its LLM spans, its end.
 * const run = (traceId: string, answers: string[]) => [
 *   { type: 'trace.start' as const, id: `${traceId}:start`, trace: { id: traceId, name: 'weather', startedAt: at(0), input: 'Weather in Paris?' } },
 *   ...answers.map((text, index) => ({ type: 'span' as const, id: `${traceId}.${index + 1}`, span: llm(traceId, index + 1, text) })),
 *   { type: 'trace.end' as const, id: `${traceId}:end`, trace: { id: traceId, endedAt: at(59), status: 'completed' as const, output: answers.at(-1), totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 59_000 } } },
 * ]
 * const batches = [{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Sunny, 18 °C.']) }]
 * const { counts } = await client.transaction((tx) => ingestInTransaction(tx, batches, Date.now()))
 * counts // → [{ accepted: 3, duplicates: 0 }]
 * // Redelivered: stored once.
 * (await client.transaction((tx) => ingestInTransaction(tx, batches, Date.now()))).counts // → [{ accepted: 0, duplicates: 3 }]
 * await store.close()
 */
export async function ingestInTransaction(tx: SqlExecutor, batches: readonly IngestBatch[], nowMs: number): Promise<{ counts: IngestCounts[]; changed: Map<string, Set<string>> }> {
  const counts: IngestCounts[] = batches.map(() => ({ accepted: 0, duplicates: 0 }))
  const seen = new Set<string>()
  const candidates: Array<{ batch: number; key: string; accountId: string; projectId: string; event: WireEvent; traceId: string; secrets: number }> = []
  batches.forEach((batch, index) => {
    batch.events.forEach((event, at) => {
      const key = `${batch.accountId}\u0000${event.id}`
      if (seen.has(key)) {
        counts[index]!.duplicates++
        return
      }
      seen.add(key)
      candidates.push({ batch: index, key, accountId: batch.accountId, projectId: batch.projectId, event, traceId: traceIdOf(event), secrets: batch.secrets?.[at] ?? 0 })
    })
  })
  candidates.sort((a, b) => compare(a.key, b.key))

  const inserted = new Set<string>()
  const eventRow = (item: (typeof candidates)[number]): SqlValue[] => [item.accountId, item.event.id, item.projectId, item.traceId, nowMs]
  if (tx.dialect === 'postgres' && candidates.length) {
    const rows = await tx.all<{ account_id: string; id: string }>(
      'INSERT INTO events (account_id, id, project_id, trace_id, received_ms) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[]) ON CONFLICT (account_id, id) DO NOTHING RETURNING account_id, id',
      columnsOf(candidates.map(eventRow), 5),
    )
    for (const row of rows) inserted.add(`${row.account_id}\u0000${row.id}`)
  }
  if (tx.dialect === 'sqlite') {
    for (const item of candidates) {
      const { changes } = await tx.run('INSERT INTO events (account_id, id, project_id, trace_id, received_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, id) DO NOTHING', eventRow(item))
      if (changes > 0) inserted.add(item.key)
    }
  }

  const traces = new Map<string, TraceRow>()
  const spans: SqlValue[][] = []
  const tags: SqlValue[][] = []
  const usage = new Map<string, { events: number; usd: number; secrets: number }>()
  const changed = new Map<string, Set<string>>()
  // Arrival order inside the transaction, so "first wins" means first received.
  const fresh = candidates.filter((item) => inserted.has(item.key)).sort((a, b) => a.batch - b.batch)
  for (const item of fresh) {
    counts[item.batch]!.accepted++
    const traceKey = `${item.projectId}\u0000${item.traceId}`
    let row = traces.get(traceKey)
    if (!row) traces.set(traceKey, (row = emptyTraceRow(item.projectId, item.traceId, nowMs)))
    applyEventToRow(row, item.event)
    if (item.event.type === 'span') spans.push(spanRow(item.projectId, item.event.span))
    if (item.event.type === 'trace.start') for (const tag of new Set(item.event.trace.tags ?? [])) tags.push([item.projectId, tag, item.traceId])
    const day = usage.get(item.projectId) ?? { events: 0, usd: 0, secrets: 0 }
    day.events++
    day.secrets += item.secrets
    if (item.event.type === 'span') day.usd += item.event.span.step?.costUsd ?? 0
    usage.set(item.projectId, day)
    let ids = changed.get(item.projectId)
    if (!ids) changed.set(item.projectId, (ids = new Set()))
    ids.add(item.traceId)
  }
  for (const item of candidates) if (!inserted.has(item.key)) counts[item.batch]!.duplicates++

  spans.sort((a, b) => compare(`${a[1]}\u0000${a[2]}`, `${b[1]}\u0000${b[2]}`))
  tags.sort((a, b) => compare(`${a[0]}\u0000${a[1]}\u0000${a[2]}`, `${b[0]}\u0000${b[1]}\u0000${b[2]}`))
  await insertSpans(tx, spans)
  await upsertTraces(tx, [...traces.values()])
  await insertTags(tx, tags)
  const day = dayOf(nowMs)
  for (const [projectId, used] of [...usage].sort(([a], [b]) => compare(a, b))) {
    await tx.run(
      'INSERT INTO usage_daily (project_id, day, events, usd) VALUES (?, ?, ?, ?) ON CONFLICT (project_id, day) DO UPDATE SET events = usage_daily.events + excluded.events, usd = usage_daily.usd + excluded.usd',
      [projectId, day, used.events, used.usd],
    )
    // Counted only for stored events: a resent duplicate was masked but not stored again.
    if (used.secrets > 0) await tx.run('UPDATE projects SET secrets_masked = secrets_masked + ? WHERE id = ?', [used.secrets, projectId])
  }
  return { counts, changed }
}
