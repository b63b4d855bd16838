import type { DetectorTrace } from '@retrace/detectors'
import type { JsonValue } from '@retrace/cassettes'
import type { WireSpan } from '@retrace/protocol'
import { parseStoredResult, type DetectionRun, type DetectionStore, type DetectionTraceState, type StoredDetectionRun } from '../detection-record.ts'
import type { TraceStatus } from '../records.ts'
import { parseJson, textOrNull } from './row-mapping.ts'
import type { SqlClient } from './sql-client.ts'

type Row = Record<string, unknown>

const statusOf = (endStatus: unknown): TraceStatus => (endStatus === null || endStatus === undefined ? 'running' : endStatus === 'failed' ? 'failed' : 'completed')
const text = (value: unknown): string | undefined => textOrNull(value) ?? undefined

/** Traces read per `states` statement. */
const STATES_PER_QUERY = 500

// A tagged span's JSON text holds `"agent":{` (spans are stored as JSON.stringify wrote them);
// the match is only a pre-check: the spans are read before anything runs. A scalar subquery
// with LIMIT 1 (1 or NULL), not EXISTS: PostgreSQL may run an EXISTS over many traces as one
// hashed scan of every span in the table (60 ms per 100,000 spans, per query); this one stays
// an index probe per trace (3.6 ms for 500 traces).
const MAY_HAVE_AGENTS = `(SELECT 1 FROM spans s WHERE s.project_id = t.project_id AND s.trace_id = t.id AND (s.kind = 'agent' OR s.data LIKE '%"agent":{%') LIMIT 1)`

/**
 * Detections on either engine (the `trace_detections` table of migration 4), the same SQL on
 * SQLite and PostgreSQL. Reads go beside the writer; a save is one short transaction.
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
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const detections = createSqlDetectionStore(client)
 * const trace = await detections.loadTrace(project.id, 'tr_1')
 * ;[trace?.trace.id, trace?.spans.length, trace?.end?.status] // → ['tr_1', 2, 'completed']
 * await detections.loadTrace(project.id, 'tr_9') // → undefined
 * const states = await detections.states(project.id, ['tr_1', 'tr_9'])
 * ;[states.get('tr_1')?.status, states.get('tr_1')?.spanCount, states.has('tr_9')] // → ['completed', 2, false]
 * await store.close()
 */
export function createSqlDetectionStore(sql: SqlClient): DetectionStore {
  return {
    async states(projectId, traceIds) {
      const states = new Map<string, DetectionTraceState>()
      // One statement per slice keeps the placeholder count far below either engine's limit.
      for (let from = 0; from < traceIds.length; from += STATES_PER_QUERY) {
        const ids = traceIds.slice(from, from + STATES_PER_QUERY)
        const rows = await sql.all(
          `SELECT t.id, t.end_status, t.span_count, ${MAY_HAVE_AGENTS} AS may_have_agents, d.version AS detected_version, d.trace_status AS detected_status, d.span_count AS detected_spans
           FROM traces t LEFT JOIN trace_detections d ON d.project_id = t.project_id AND d.trace_id = t.id
           WHERE t.project_id = ? AND t.id IN (${ids.map(() => '?').join(',')})`,
          [projectId, ...ids],
        )
        for (const row of rows) {
          states.set(String(row.id), {
            status: statusOf(row.end_status),
            spanCount: Number(row.span_count),
            mayHaveAgents: Number(row.may_have_agents) === 1,
            stored: row.detected_version === null || row.detected_version === undefined ? undefined : { version: String(row.detected_version), traceStatus: row.detected_status as TraceStatus, spanCount: Number(row.detected_spans) },
          })
        }
      }
      return states
    },

    async loadTrace(projectId, traceId) {
      const [row] = await sql.all('SELECT * FROM traces WHERE project_id = ? AND id = ?', [projectId, traceId])
      if (!row) return undefined
      const spanRows = await sql.all<{ data: string }>('SELECT data FROM spans WHERE project_id = ? AND trace_id = ? ORDER BY started_ms, id', [projectId, traceId])
      const spans = spanRows.map((span) => parseJson<WireSpan>(span.data)).filter((span): span is WireSpan => span !== null)
      return detectorTraceOf(row, spans)
    },

    async save(run: DetectionRun) {
      const ended = run.traceStatus === 'running' ? 0 : 1
      const status = run.result ? 'done' : 'failed'
      const { changes } = await sql.transaction((tx) =>
        tx.run(
          `INSERT INTO trace_detections (project_id, trace_id, version, status, trigger, trace_status, trace_ended, span_count, result, error, detected_ms, duration_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (project_id, trace_id) DO UPDATE SET version = excluded.version, status = excluded.status, trigger = excluded.trigger,
             trace_status = excluded.trace_status, trace_ended = excluded.trace_ended, span_count = excluded.span_count, result = excluded.result,
             error = excluded.error, detected_ms = excluded.detected_ms, duration_ms = excluded.duration_ms
           WHERE excluded.trace_ended > trace_detections.trace_ended
             OR (excluded.trace_ended = trace_detections.trace_ended AND excluded.span_count > trace_detections.span_count)
             OR (excluded.trace_ended = trace_detections.trace_ended AND excluded.span_count = trace_detections.span_count
                 AND (excluded.status = 'done' OR trace_detections.status <> 'done'))`,
          [
            run.projectId, run.traceId, run.version, status, run.trigger, run.traceStatus, ended, run.spanCount,
            run.result ? JSON.stringify(run.result) : null, run.error ? JSON.stringify(run.error) : null, Date.now(), run.durationMs,
          ],
        ),
      )
      return changes > 0
    },

    async get(projectId, traceId): Promise<StoredDetectionRun | undefined> {
      const [row] = await sql.all('SELECT * FROM trace_detections WHERE project_id = ? AND trace_id = ?', [projectId, traceId])
      if (!row) return undefined
      const result = parseStoredResult(text(row.result) ?? null)
      const error = parseJson<{ code: string; message: string }>(row.error) ?? undefined
      return {
        projectId,
        traceId,
        trigger: row.trigger as StoredDetectionRun['trigger'],
        traceStatus: row.trace_status as TraceStatus,
        spanCount: Number(row.span_count),
        version: String(row.version),
        result,
        error: result || error ? error : { code: 'unreadable', message: 'The stored detections could not be read; run them again (POST …/detect).' },
        durationMs: Number(row.duration_ms),
        detectedAt: new Date(Number(row.detected_ms)).toISOString(),
      }
    },
  }
}

/**
 * A stored trace as the detectors read it: its `trace.start` and `trace.end` rebuilt from the
 * row (JSON `null` output kept apart from no output: to the detectors the first is "no
 * answer"), its spans as they were sent.
 */
function detectorTraceOf(row: Row, spans: WireSpan[]): DetectorTrace {
  const id = String(row.id)
  // Each optional field only when the row has it, as the wire event would have had it.
  const field = <V>(key: string, value: V | undefined | null): Record<string, V> => (value === undefined || value === null ? {} : { [key]: value })
  // JSON columns: SQL NULL is "not sent"; the text `null` is a JSON null that was sent.
  const json = (key: string, value: unknown): Record<string, JsonValue> => (typeof value === 'string' ? { [key]: parseJson<JsonValue>(value) } : {})
  const number = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value))
  const startedAt = text(row.started_at) ?? spans.map((span) => span.startedAt).sort()[0] ?? new Date(Number(row.first_seen_ms)).toISOString()
  const trace: DetectorTrace = {
    trace: {
      id,
      name: text(row.name) ?? id,
      startedAt,
      ...field('sessionId', text(row.session_id)),
      ...field('tags', parseJson<string[]>(row.tags)),
      ...field('metadata', parseJson<Record<string, JsonValue>>(row.metadata)),
      ...json('input', row.input),
      ...(Number(row.resumable) === 1 ? { resumable: true } : {}),
      ...field('forkOf', text(row.fork_of)),
      ...field('forkPointStep', number(row.fork_point_step)),
      ...field('forkId', text(row.fork_id)),
    },
    spans,
  }
  if (row.end_status === null || row.end_status === undefined) return trace
  return {
    ...trace,
    end: {
      id,
      endedAt: text(row.ended_at) ?? startedAt,
      status: statusOf(row.end_status) === 'failed' ? 'failed' : 'completed',
      ...json('output', row.output),
      ...field('error', parseJson<{ type: string; message: string }>(row.error)),
      totals: { inputTokens: number(row.in_tokens) ?? 0, outputTokens: number(row.out_tokens) ?? 0, usd: number(row.usd) ?? 0, durationMs: number(row.duration_ms) ?? 0 },
      ...(Number(row.lossy) === 1 ? { lossy: true } : {}),
      ...(Number(row.terminated_early) === 1 ? { terminatedEarly: true } : {}),
      ...(Number(row.truncated) === 1 ? { truncated: true } : {}),
    },
  }
}
