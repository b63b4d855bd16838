import type { Migration } from '../../store/sql/migrations.ts'

/**
 * Schema version 2: forks (each one a job on the database: its status is the queue), sweeps
 * (their variants are forks; the sweep row is the lock that caps their concurrency across
 * processes), and the baselines commits made, in order (the lineage). Portable SQL, as v1.
 */
export const FORK_MIGRATION: Migration = {
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
}
