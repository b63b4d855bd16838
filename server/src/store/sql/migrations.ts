import { StoreSchemaTooNewError } from '../../errors/server-errors.ts'
import type { SqlClient } from './sql-client.ts'

/** One step of the schema. The SQL runs unchanged on SQLite and PostgreSQL. */
export interface Migration {
  version: number
  name: string
  statements: readonly string[]
}

// Portable SQL only: TEXT, BIGINT (epoch ms, counts), DOUBLE PRECISION (tokens, USD: sums of
// untrusted numbers must not overflow an integer), INTEGER 0/1 flags, ON CONFLICT upserts.
// Ids are opaque text; JSON is stored as text (written and read whole, never queried inside).
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, projects, keys, events, traces, spans, usage, cassettes, connections, commands',
    statements: [
      'CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_ms BIGINT NOT NULL)',
      `CREATE TABLE projects (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL, created_ms BIGINT NOT NULL,
        usd_per_day DOUBLE PRECISION, steps_per_run BIGINT, usd_per_run DOUBLE PRECISION, max_events_per_day BIGINT)`,
      'CREATE INDEX projects_account ON projects (account_id)',
      `CREATE TABLE api_keys (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, account_id TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, created_ms BIGINT NOT NULL, revoked_ms BIGINT)`,
      'CREATE INDEX api_keys_project ON api_keys (project_id)',
      // Deduplication ledger (PROTOCOL.md §3.1): one row per event id per account.
      'CREATE TABLE events (account_id TEXT NOT NULL, id TEXT NOT NULL, project_id TEXT NOT NULL, trace_id TEXT NOT NULL, received_ms BIGINT NOT NULL, PRIMARY KEY (account_id, id))',
      `CREATE TABLE traces (project_id TEXT NOT NULL, id TEXT NOT NULL,
        name TEXT, session_id TEXT, started_at TEXT, started_ms BIGINT, ended_at TEXT, end_status TEXT,
        tags TEXT, metadata TEXT, input TEXT, output TEXT, error TEXT,
        resumable INTEGER NOT NULL DEFAULT 0, fork_of TEXT, fork_point_step BIGINT, fork_id TEXT,
        in_tokens DOUBLE PRECISION, out_tokens DOUBLE PRECISION, usd DOUBLE PRECISION, duration_ms DOUBLE PRECISION,
        lossy INTEGER NOT NULL DEFAULT 0, dropped_events BIGINT, terminated_early INTEGER NOT NULL DEFAULT 0, truncated INTEGER NOT NULL DEFAULT 0,
        span_count BIGINT NOT NULL DEFAULT 0, llm_count BIGINT NOT NULL DEFAULT 0, error_count BIGINT NOT NULL DEFAULT 0,
        span_usd DOUBLE PRECISION NOT NULL DEFAULT 0, span_in_tokens DOUBLE PRECISION NOT NULL DEFAULT 0, span_out_tokens DOUBLE PRECISION NOT NULL DEFAULT 0,
        source TEXT NOT NULL DEFAULT 'sdk', git TEXT,
        sort_ms BIGINT NOT NULL, first_seen_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL,
        PRIMARY KEY (project_id, id))`,
      'CREATE INDEX traces_recent ON traces (project_id, sort_ms DESC, id DESC)',
      'CREATE INDEX traces_session ON traces (project_id, session_id, sort_ms DESC, id DESC)',
      'CREATE INDEX traces_name ON traces (project_id, name, sort_ms DESC, id DESC)',
      'CREATE TABLE trace_tags (project_id TEXT NOT NULL, tag TEXT NOT NULL, trace_id TEXT NOT NULL, PRIMARY KEY (project_id, tag, trace_id))',
      'CREATE TABLE spans (project_id TEXT NOT NULL, trace_id TEXT NOT NULL, id TEXT NOT NULL, parent_id TEXT, kind TEXT NOT NULL, started_ms BIGINT, data TEXT NOT NULL, PRIMARY KEY (project_id, trace_id, id))',
      'CREATE TABLE usage_daily (project_id TEXT NOT NULL, day TEXT NOT NULL, events BIGINT NOT NULL DEFAULT 0, usd DOUBLE PRECISION NOT NULL DEFAULT 0, PRIMARY KEY (project_id, day))',
      'CREATE TABLE cassettes (project_id TEXT NOT NULL, content_hash TEXT NOT NULL, trace_id TEXT NOT NULL, body TEXT NOT NULL, created_ms BIGINT NOT NULL, PRIMARY KEY (project_id, content_hash))',
      'CREATE INDEX cassettes_trace ON cassettes (project_id, trace_id)',
      // Scale-out: which server process holds which SDK connection, so a command (`resume`)
      // made anywhere reaches the process that can send it.
      'CREATE TABLE server_instances (id TEXT PRIMARY KEY, started_ms BIGINT NOT NULL, heartbeat_ms BIGINT NOT NULL)',
      `CREATE TABLE connections (id TEXT PRIMARY KEY, server_id TEXT NOT NULL, project_id TEXT NOT NULL, key_id TEXT NOT NULL,
        instance_id TEXT, sdk TEXT, runtime TEXT, resumable TEXT NOT NULL, connected_ms BIGINT NOT NULL, registered_ms BIGINT)`,
      'CREATE INDEX connections_project ON connections (project_id)',
      'CREATE TABLE commands (id TEXT PRIMARY KEY, server_id TEXT NOT NULL, connection_id TEXT NOT NULL, payload TEXT NOT NULL, created_ms BIGINT NOT NULL, delivered_ms BIGINT)',
    ],
  },
  // Fork & Replay (issue 11): forks (each one a job on the database: its status is the
  // queue), sweeps (their variants are forks; the sweep row is the lock that caps their
  // concurrency across processes), and the baselines commits made, in order (the lineage).
  {
    version: 2,
    name: 'forks, sweeps, baselines',
    statements: [
      `CREATE TABLE forks (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
        fork_point_step BIGINT NOT NULL, fork_point_tool_call BIGINT, function_name TEXT NOT NULL, modified_input TEXT NOT NULL,
        status TEXT NOT NULL, message TEXT, sweep_id TEXT, variant_index BIGINT, label TEXT,
        command_id TEXT, attempt BIGINT NOT NULL DEFAULT 0, fork_trace_id TEXT,
        server_id TEXT, connection_id TEXT, instance_id TEXT, lost_ms BIGINT, worker_wait_ms BIGINT,
        created_ms BIGINT NOT NULL, queued_ms BIGINT, started_ms BIGINT, finished_ms BIGINT, committed_ms BIGINT, updated_ms BIGINT NOT NULL)`,
      'CREATE INDEX forks_trace ON forks (project_id, trace_id, created_ms)',
      'CREATE INDEX forks_sweep ON forks (sweep_id, status, variant_index)',
      'CREATE INDEX forks_status ON forks (status, queued_ms)',
      'CREATE UNIQUE INDEX forks_command ON forks (command_id)',
      // A fork's trace is found by the command id its trace.start carries (forkId).
      'CREATE INDEX traces_fork ON traces (fork_id)',
      `CREATE TABLE sweeps (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, kind TEXT NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
        concurrency BIGINT NOT NULL, status TEXT NOT NULL, params TEXT, report TEXT,
        created_ms BIGINT NOT NULL, finished_ms BIGINT, cancelled_ms BIGINT, updated_ms BIGINT NOT NULL)`,
      'CREATE INDEX sweeps_status ON sweeps (status)',
      'CREATE INDEX sweeps_project ON sweeps (project_id, created_ms)',
      `CREATE TABLE baselines (project_id TEXT NOT NULL, trace_id TEXT NOT NULL, seq BIGINT NOT NULL, baseline_trace_id TEXT NOT NULL,
        fork_id TEXT NOT NULL, committed_ms BIGINT NOT NULL, PRIMARY KEY (project_id, trace_id, seq))`,
    ],
  },
  // Each version is applied when the database lacks it: a database made at version 3 before
  // version 2 existed (issue 12 landed before issue 11) gets version 2 on its next start.
  {
    version: 3,
    name: 'share links',
    statements: [
      // Public read-only links to one trace: only the token's SHA-256 is kept.
      `CREATE TABLE share_links (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, trace_id TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
        token_prefix TEXT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT, revoked_ms BIGINT)`,
      'CREATE INDEX share_links_project ON share_links (project_id, created_ms DESC)',
    ],
  },
  {
    version: 4,
    name: 'trace detections',
    statements: [
      // The multi-agent detectors' flags of a trace (@retrace/detectors), derived data: the
      // rules version, what the trace was when detected (ended, spans), the result as JSON.
      `CREATE TABLE trace_detections (project_id TEXT NOT NULL, trace_id TEXT NOT NULL, version TEXT NOT NULL, status TEXT NOT NULL, trigger TEXT NOT NULL,
        trace_status TEXT NOT NULL, trace_ended INTEGER NOT NULL, span_count BIGINT NOT NULL, result TEXT, error TEXT,
        detected_ms BIGINT NOT NULL, duration_ms DOUBLE PRECISION NOT NULL, PRIMARY KEY (project_id, trace_id))`,
    ],
  },
  {
    version: 5,
    name: 'masked secrets per project, event ids pruned by age, a rate limit per key',
    statements: [
      // Secret-shaped values the server masked in ingested events (what the SDK let through).
      'ALTER TABLE projects ADD COLUMN secrets_masked BIGINT NOT NULL DEFAULT 0',
      // The dedupe ledger keeps an event id for DEDUPE_RETENTION_MS, then forgets it, oldest first.
      'CREATE INDEX events_received ON events (received_ms)',
      // Requests per second for this key; NULL: the server's --rate-limit.
      'ALTER TABLE api_keys ADD COLUMN rate_limit DOUBLE PRECISION',
    ],
  },
]

/** The schema version this server writes. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((migration) => migration.version))

/**
 * Brings the database to this server's schema, in one transaction under a database-wide lock
 * (several servers may start at once): every migration the database has not recorded runs,
 * in order. A database whose schema is newer is left untouched and
 * refused with `StoreSchemaTooNewError`.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openSqlite } from '../sqlite/sqlite-client.ts'
 * const client = openSqlite(join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db'))
 * await migrate(client) // → { from: 0, to: SCHEMA_VERSION }
 * await migrate(client) // → { from: SCHEMA_VERSION, to: SCHEMA_VERSION }
 * await client.close()
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<{ from: number; to: number }> {
  // The highest version, wherever branches merged it into the list.
  const latest = Math.max(0, ...migrations.map((migration) => migration.version))
  return client.transaction(
    async (tx) => {
      await tx.run('CREATE TABLE IF NOT EXISTS retrace_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)')
      const rows = await tx.all<{ version: number | string }>('SELECT version FROM retrace_schema')
      const applied = new Set(rows.map((row) => Number(row.version)))
      const from = Math.max(0, ...applied)
      if (from > latest) throw new StoreSchemaTooNewError(from, latest)
      for (const migration of migrations) {
        // Not `<= from`: a version merged in below one already applied still runs.
        if (applied.has(migration.version)) continue
        for (const statement of migration.statements) await tx.run(statement)
        await tx.run('INSERT INTO retrace_schema (version, name, applied_ms) VALUES (?, ?, ?)', [migration.version, migration.name, Date.now()])
      }
      return { from, to: Math.max(from, latest) }
    },
    { lock: 'retrace_migrations' },
  )
}
