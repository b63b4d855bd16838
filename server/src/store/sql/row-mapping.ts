import type { JsonValue } from '@retrace/cassettes'
import type { ErrorInfo } from '@retrace/protocol'
import type { ConnectionRecord, GitMetadata, KeyRecord, ProjectRecord, Scope, SessionSummary, TraceRecord, TraceSummary } from '../store.ts'

// Rows as the drivers return them (numbers may be numbers or numeric text) to the records
// the API serves.

type Row = Record<string, unknown>

const iso = (ms: unknown): string => new Date(Number(ms)).toISOString()

/**
 * A nullable epoch-milliseconds column as an ISO date, or null.
 *
 * @example
 * isoOrNull(0) // → '1970-01-01T00:00:00.000Z'
 * isoOrNull(null) // → null
 */
export const isoOrNull = (ms: unknown): string | null => (ms === null || ms === undefined ? null : iso(ms))

/**
 * A nullable numeric column (a number, or numeric text from PostgreSQL) as a number, or null.
 *
 * @example
 * numberOrNull('42') // → 42
 * numberOrNull(undefined) // → null
 */
export const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value))

/**
 * A nullable text column as a string, or null.
 *
 * @example
 * textOrNull('tr_1') // → 'tr_1'
 * textOrNull(null) // → null
 */
export const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value))

/**
 * JSON text from the store; a value that does not parse (never expected) reads as null.
 *
 * @example
 * parseJson<string[]>('["prod"]') // → ['prod']
 * parseJson('{broken') // → null
 * parseJson(null) // → null
 */
export function parseJson<T>(value: unknown): T | null {
  if (typeof value !== 'string') return null
  try {
    return JSON.parse(value) as T
  } catch {
    return null
  }
}

/**
 * A `projects` row as the API's project (numbers may come as numeric text from PostgreSQL).
 *
 * @example
 * toProject({ id: 'p1', account_id: 'a1', name: 'agents', created_ms: 0, usd_per_day: '20', steps_per_run: null, usd_per_run: null, max_events_per_day: null })
 * // → { id: 'p1', accountId: 'a1', name: 'agents', createdAt: '1970-01-01T00:00:00.000Z', budgets: { usdPerDay: 20, stepsPerRun: null, usdPerRun: null }, maxEventsPerDay: null, secretsMasked: 0 }
 */
export function toProject(row: Row): ProjectRecord {
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    name: String(row.name),
    createdAt: iso(row.created_ms),
    budgets: { usdPerDay: numberOrNull(row.usd_per_day), stepsPerRun: numberOrNull(row.steps_per_run), usdPerRun: numberOrNull(row.usd_per_run) },
    maxEventsPerDay: numberOrNull(row.max_events_per_day),
    secretsMasked: Number(row.secrets_masked ?? 0),
  }
}

/**
 * An `api_keys` row as a key record (never its hash).
 *
 * @example
 * toKey({ id: 'key_1', project_id: 'p1', account_id: 'a1', name: 'ci', prefix: 'rt_live_ab', scopes: 'ingest,read', created_ms: 0, revoked_ms: null }).scopes
 * // → ['ingest', 'read']
 */
export function toKey(row: Row): KeyRecord {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    accountId: String(row.account_id),
    name: String(row.name),
    prefix: String(row.prefix),
    scopes: String(row.scopes).split(',').filter(Boolean) as Scope[],
    createdAt: iso(row.created_ms),
    revokedAt: isoOrNull(row.revoked_ms),
    rateLimit: numberOrNull(row.rate_limit),
  }
}

/**
 * A `traces` row as a trace summary: running until its end arrived, with the totals its spans
 * add up to until then.
 *
 * @example
 * const row = { id: 'tr_1', project_id: 'p1', name: 'weather', end_status: null, error_count: 0, span_count: 2, llm_count: 1, span_in_tokens: '900', span_out_tokens: 100, span_usd: 0.0002, in_tokens: null, out_tokens: null, usd: null, duration_ms: null, lossy: 0, terminated_early: 0, truncated: 0, resumable: 1, tags: '["prod"]', source: 'sdk', input: '"Weather in Paris?"' }
 * const summary = toTraceSummary(row)
 * ;[summary.status, summary.tags, summary.totals.inputTokens, summary.totals.durationMs] // → ['running', ['prod'], 900, null]
 */
export function toTraceSummary(row: Row): TraceSummary {
  const ended = row.end_status !== null && row.end_status !== undefined
  const errors = Number(row.error_count)
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    name: textOrNull(row.name),
    sessionId: textOrNull(row.session_id),
    status: ended ? (row.end_status === 'failed' ? 'failed' : 'completed') : 'running',
    startedAt: textOrNull(row.started_at),
    endedAt: textOrNull(row.ended_at),
    tags: parseJson<string[]>(row.tags) ?? [],
    hasError: errors > 0 || row.end_status === 'failed',
    lossy: Number(row.lossy) === 1,
    droppedEvents: numberOrNull(row.dropped_events),
    terminatedEarly: Number(row.terminated_early) === 1,
    truncated: Number(row.truncated) === 1,
    resumable: Number(row.resumable) === 1,
    forkOf: textOrNull(row.fork_of),
    forkPointStep: numberOrNull(row.fork_point_step),
    forkId: textOrNull(row.fork_id),
    source: row.source === 'cassette' ? 'cassette' : 'sdk',
    git: parseJson<GitMetadata>(row.git),
    // The run's own totals once its end arrived; until then, what its spans add up to.
    totals: {
      inputTokens: Number(ended ? row.in_tokens : row.span_in_tokens),
      outputTokens: Number(ended ? row.out_tokens : row.span_out_tokens),
      usd: Number(ended ? row.usd : row.span_usd),
      durationMs: ended ? Number(row.duration_ms) : null,
      spans: Number(row.span_count),
      llmCalls: Number(row.llm_count),
      errors,
    },
  }
}

/**
 * A `traces` row as the full trace record: the summary plus input, output, error and metadata.
 *
 * @example
 * const row = { id: 'tr_1', project_id: 'p1', name: 'weather', end_status: null, error_count: 0, span_count: 2, llm_count: 1, span_in_tokens: '900', span_out_tokens: 100, span_usd: 0.0002, in_tokens: null, out_tokens: null, usd: null, duration_ms: null, lossy: 0, terminated_early: 0, truncated: 0, resumable: 1, tags: '["prod"]', source: 'sdk', input: '"Weather in Paris?"' }
 * toTraceRecord(row).input // → 'Weather in Paris?'
 */
export function toTraceRecord(row: Row): TraceRecord {
  return {
    ...toTraceSummary(row),
    input: parseJson<JsonValue>(row.input),
    output: parseJson<JsonValue>(row.output),
    error: parseJson<ErrorInfo>(row.error),
    metadata: parseJson<Record<string, JsonValue>>(row.metadata),
  }
}

/**
 * A row of the sessions query (traces grouped by session) as a session summary.
 *
 * @example
 * toSession({ session_id: 'chat-7', traces: 2, first_ms: 0, last_ms: 1000, errors: 0, in_tokens: '10', out_tokens: 5, usd: 0.001 })
 * // → { id: 'chat-7', traces: 2, firstAt: '1970-01-01T00:00:00.000Z', lastAt: '1970-01-01T00:00:01.000Z', hasError: false, totals: { inputTokens: 10, outputTokens: 5, usd: 0.001 } }
 */
export function toSession(row: Row): SessionSummary {
  return {
    id: String(row.session_id),
    traces: Number(row.traces),
    firstAt: iso(row.first_ms),
    lastAt: iso(row.last_ms),
    hasError: Number(row.errors) > 0,
    totals: { inputTokens: Number(row.in_tokens), outputTokens: Number(row.out_tokens), usd: Number(row.usd) },
  }
}

/**
 * A `connections` row as a connection record.
 *
 * @example
 * toConnection({ id: 'c1', server_id: 'srv_1', project_id: 'p1', key_id: 'key_1', instance_id: null, sdk: '@retrace/core', runtime: null, resumable: '["weather"]', connected_ms: 0, registered_ms: null }).resumable
 * // → ['weather']
 */
export function toConnection(row: Row): ConnectionRecord {
  return {
    id: String(row.id),
    serverId: String(row.server_id),
    projectId: String(row.project_id),
    keyId: String(row.key_id),
    instanceId: textOrNull(row.instance_id),
    sdk: textOrNull(row.sdk),
    runtime: textOrNull(row.runtime),
    resumable: parseJson<string[]>(row.resumable) ?? [],
    connectedAt: iso(row.connected_ms),
    registeredAt: isoOrNull(row.registered_ms),
  }
}

/**
 * An opaque pagination cursor: the sort key of the last item served (a time, or a cost or
 * duration for those sort orders).
 *
 * @example
 * encodeCursor([1733390000000, 'tr_1']) // → 'WzE3MzMzOTAwMDAwMDAsInRyXzEiXQ'
 */
export function encodeCursor(key: [number, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/**
 * The sort key in a cursor; undefined for a cursor this server did not make.
 *
 * @example
 * decodeCursor(encodeCursor([1733390000000, 'tr_1'])) // → [1733390000000, 'tr_1']
 * decodeCursor('not-a-cursor') // → undefined
 */
export function decodeCursor(cursor: string): [number, string] | undefined {
  const value = parseJson<unknown>(Buffer.from(cursor, 'base64url').toString('utf8'))
  return Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string' ? [value[0] as number, value[1] as string] : undefined
}
