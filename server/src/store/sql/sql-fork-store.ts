import type { BaselineRecord, ForkRecord, ForkStatus, SweepRecord } from '../fork-records.ts'
import type { ClaimedFork, ClaimOptions, ForkStore, ForkTimeouts, ForkTraceState, LocalWorker, NewFork, NewSweep } from '../fork-store.ts'
import type { ConnectionRecord } from '../records.ts'
import { numberOrNull, parseJson, textOrNull, toConnection } from './row-mapping.ts'
import type { SqlClient, SqlExecutor, SqlValue } from './sql-client.ts'
import { newId } from './sql-store.ts'

// The fork repository, the same SQL on SQLite and PostgreSQL. Forks are jobs on the database:
// a fork's status is its place in the queue, and a claim moves it from `queued` to `running`
// in one transaction. On PostgreSQL, claims lock the rows they take (FOR UPDATE SKIP LOCKED,
// so concurrent claimers never wait for each other) and a sweep's row (FOR UPDATE, so the
// check "fewer than `concurrency` running" and the claim are one step across processes, and
// so two transactions ending a sweep's last variants count them one after the other); on
// SQLite the one writer serialises every transaction, which gives the same guarantees.

const FORK_COLUMNS = [
  'id', 'project_id', 'trace_id', 'span_id', 'fork_point_step', 'fork_point_tool_call', 'function_name', 'modified_input', 'status', 'message',
  'sweep_id', 'variant_index', 'label', 'command_id', 'attempt', 'fork_trace_id', 'server_id', 'connection_id', 'instance_id', 'lost_ms', 'worker_wait_ms',
  'created_ms', 'queued_ms', 'started_ms', 'finished_ms', 'committed_ms', 'updated_ms',
] as const

type Row = Record<string, unknown>

function toFork(row: Row): ForkRecord {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    traceId: String(row.trace_id),
    spanId: String(row.span_id),
    forkPointStep: Number(row.fork_point_step),
    forkPointToolCall: numberOrNull(row.fork_point_tool_call),
    functionName: String(row.function_name),
    modifiedInput: parseJson(row.modified_input),
    status: String(row.status) as ForkStatus,
    message: textOrNull(row.message),
    sweepId: textOrNull(row.sweep_id),
    variantIndex: numberOrNull(row.variant_index),
    label: textOrNull(row.label),
    commandId: textOrNull(row.command_id),
    attempt: Number(row.attempt),
    forkTraceId: textOrNull(row.fork_trace_id),
    serverId: textOrNull(row.server_id),
    connectionId: textOrNull(row.connection_id),
    instanceId: textOrNull(row.instance_id),
    lostMs: numberOrNull(row.lost_ms),
    workerWaitMs: numberOrNull(row.worker_wait_ms),
    createdMs: Number(row.created_ms),
    queuedMs: numberOrNull(row.queued_ms),
    startedMs: numberOrNull(row.started_ms),
    finishedMs: numberOrNull(row.finished_ms),
    committedMs: numberOrNull(row.committed_ms),
  }
}

function toSweep(row: Row): SweepRecord {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    kind: row.kind === 'sensitivity' ? 'sensitivity' : 'sweep',
    traceId: String(row.trace_id),
    spanId: String(row.span_id),
    concurrency: Number(row.concurrency),
    status: String(row.status) as SweepRecord['status'],
    params: parseJson<Record<string, unknown>>(row.params),
    report: parseJson(row.report),
    createdMs: Number(row.created_ms),
    finishedMs: numberOrNull(row.finished_ms),
    cancelledMs: numberOrNull(row.cancelled_ms),
  }
}

/**
 * The id a fork's `resume` carries for its nth attempt (the fork trace echoes it as `forkId`).
 *
 * @example
 * commandIdFor('fk_1', 1) // → 'fk_1'
 * commandIdFor('fk_1', 2) // → 'fk_1.2'
 */
export function commandIdFor(forkId: string, attempt: number): string {
  return attempt <= 1 ? forkId : `${forkId}.${attempt}`
}

/**
 * The forks, sweeps and baselines of every project, over either engine.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../../store/open-store.ts'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
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
 * const fork = await store.forks.createFork({ projectId: project.id, traceId: 'tr_1', spanId: 'tr_1.2', forkPointStep: 2, forkPointToolCall: null, functionName: 'weather', modifiedInput: 'Weather in Oslo?' })
 * ;[fork.status, fork.forkPointStep] // → ['created', 2]
 * (await store.forks.getFork(project.id, fork.id))?.modifiedInput // → 'Weather in Oslo?'
 * await store.close()
 */
export class SqlForkStore implements ForkStore {
  readonly #sql: SqlClient

  constructor(sql: SqlClient) {
    this.#sql = sql
  }

  /** `FOR UPDATE` where the engine has row locks (PostgreSQL; SQLite's one writer serialises instead). */
  #forUpdate(tx: SqlExecutor): string {
    return tx.dialect === 'postgres' ? ' FOR UPDATE' : ''
  }

  /** `FOR UPDATE SKIP LOCKED` where the engine has row locks (PostgreSQL). */
  #skipLocked(tx: SqlExecutor): string {
    return tx.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''
  }

  async #insertFork(tx: SqlExecutor, input: NewFork, now: number): Promise<ForkRecord> {
    const row: Record<(typeof FORK_COLUMNS)[number], SqlValue> = {
      id: newId('fk'),
      project_id: input.projectId,
      trace_id: input.traceId,
      span_id: input.spanId,
      fork_point_step: input.forkPointStep,
      fork_point_tool_call: input.forkPointToolCall,
      function_name: input.functionName,
      modified_input: JSON.stringify(input.modifiedInput ?? null),
      status: input.queued ? 'queued' : 'created',
      message: null,
      sweep_id: input.sweepId ?? null,
      variant_index: input.variantIndex ?? null,
      label: input.label ?? null,
      command_id: null,
      attempt: 0,
      fork_trace_id: null,
      server_id: null,
      connection_id: null,
      instance_id: null,
      lost_ms: null,
      worker_wait_ms: null,
      created_ms: now,
      queued_ms: input.queued ? now : null,
      started_ms: null,
      finished_ms: null,
      committed_ms: null,
      updated_ms: now,
    }
    await tx.run(`INSERT INTO forks (${FORK_COLUMNS.join(', ')}) VALUES (${FORK_COLUMNS.map(() => '?').join(', ')})`, FORK_COLUMNS.map((column) => row[column]))
    return toFork(row)
  }

  async createFork(input: NewFork): Promise<ForkRecord> {
    return this.#sql.transaction((tx) => this.#insertFork(tx, input, Date.now()))
  }

  async getFork(projectId: string, forkId: string): Promise<ForkRecord | undefined> {
    const [row] = await this.#sql.all('SELECT * FROM forks WHERE project_id = ? AND id = ?', [projectId, forkId])
    return row ? toFork(row) : undefined
  }

  /** Forks of a trace, oldest first. */
  async forksOfTrace(projectId: string, traceId: string): Promise<ForkRecord[]> {
    return (await this.#sql.all('SELECT * FROM forks WHERE project_id = ? AND trace_id = ? ORDER BY created_ms, id', [projectId, traceId])).map(toFork)
  }

  /**
   * Asks for a fork to run: `created`, `no_worker` and `cancelled` forks (and, with `force`,
   * finished ones) become `queued`. Returns the fork and whether it was queued now.
   */
  async requestReplay(projectId: string, forkId: string, force: boolean): Promise<{ fork: ForkRecord; queued: boolean } | undefined> {
    return this.#sql.transaction(async (tx) => {
      const now = Date.now()
      const allowed = force ? "('created', 'no_worker', 'cancelled', 'completed', 'failed')" : "('created', 'no_worker', 'cancelled')"
      const { changes } = await tx.run(
        // A new run: the earlier run's command and trace no longer count for it.
        `UPDATE forks SET status = 'queued', message = NULL, command_id = NULL, fork_trace_id = NULL, queued_ms = ?, started_ms = NULL, finished_ms = NULL, worker_wait_ms = NULL, lost_ms = NULL, updated_ms = ? WHERE project_id = ? AND id = ? AND status IN ${allowed}`,
        [now, now, projectId, forkId],
      )
      const [row] = await tx.all('SELECT * FROM forks WHERE project_id = ? AND id = ?', [projectId, forkId])
      return row ? { fork: toFork(row), queued: changes > 0 } : undefined
    })
  }

  async createSweep(sweep: NewSweep, variants: readonly NewFork[]): Promise<{ sweep: SweepRecord; forks: ForkRecord[] }> {
    return this.#sql.transaction(async (tx) => {
      const now = Date.now()
      const id = newId(sweep.kind === 'sensitivity' ? 'sens' : 'sw')
      await tx.run('INSERT INTO sweeps (id, project_id, kind, trace_id, span_id, concurrency, status, params, report, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)', [
        id, sweep.projectId, sweep.kind, sweep.traceId, sweep.spanId, sweep.concurrency, 'running', sweep.params ? JSON.stringify(sweep.params) : null, now, now,
      ])
      const forks: ForkRecord[] = []
      for (const [index, variant] of variants.entries()) forks.push(await this.#insertFork(tx, { ...variant, sweepId: id, variantIndex: index, queued: true }, now))
      const [row] = await tx.all('SELECT * FROM sweeps WHERE id = ?', [id])
      return { sweep: toSweep(row!), forks }
    })
  }

  async getSweep(projectId: string, sweepId: string): Promise<SweepRecord | undefined> {
    const [row] = await this.#sql.all('SELECT * FROM sweeps WHERE project_id = ? AND id = ?', [projectId, sweepId])
    return row ? toSweep(row) : undefined
  }

  async sweepVariants(sweepId: string): Promise<ForkRecord[]> {
    return (await this.#sql.all('SELECT * FROM forks WHERE sweep_id = ? ORDER BY variant_index', [sweepId])).map(toFork)
  }

  /** Cancels a running sweep: variants not started are `cancelled`; running ones finish. */
  async cancelSweep(projectId: string, sweepId: string): Promise<SweepRecord | undefined> {
    return this.#sql.transaction(async (tx) => {
      const now = Date.now()
      const [row] = await tx.all(`SELECT * FROM sweeps WHERE project_id = ? AND id = ?${this.#forUpdate(tx)}`, [projectId, sweepId])
      if (!row) return undefined
      if (row.status === 'running') {
        await tx.run("UPDATE forks SET status = 'cancelled', message = ?, finished_ms = ?, updated_ms = ? WHERE sweep_id = ? AND status IN ('created', 'queued')", ['The sweep was cancelled before this variant ran.', now, now, sweepId])
        await tx.run('UPDATE sweeps SET cancelled_ms = ?, updated_ms = ? WHERE id = ?', [now, now, sweepId])
      }
      await this.#finishSweepIfDone(tx, sweepId, now)
      const [after] = await tx.all('SELECT * FROM sweeps WHERE id = ?', [sweepId])
      return toSweep(after!)
    })
  }

  /** Keeps a sweep's computed report (a sensitivity report, once every variant is final). */
  async saveSweepReport(sweepId: string, report: unknown): Promise<void> {
    await this.#sql.transaction((tx) => tx.run('UPDATE sweeps SET report = ?, updated_ms = ? WHERE id = ?', [JSON.stringify(report), Date.now(), sweepId]))
  }

  async #finishSweepIfDone(tx: SqlExecutor, sweepId: string, now: number): Promise<void> {
    // The sweep's row is the lock. Without it, two transactions that each end one of a sweep's
    // last two variants (READ COMMITTED on PostgreSQL) each count the other's as still running,
    // and the sweep never finishes. The second to take the lock counts after the first commits.
    await tx.all(`SELECT id FROM sweeps WHERE id = ?${this.#forUpdate(tx)}`, [sweepId])
    const [open] = await tx.all<{ n: number }>("SELECT COUNT(*) AS n FROM forks WHERE sweep_id = ? AND status IN ('created', 'queued', 'running')", [sweepId])
    if (Number(open?.n ?? 0) > 0) return
    await tx.run("UPDATE sweeps SET status = CASE WHEN cancelled_ms IS NULL THEN 'completed' ELSE 'cancelled' END, finished_ms = ?, updated_ms = ? WHERE id = ? AND status = 'running'", [now, now, sweepId])
  }

  /** Connections this server process holds, with what they registered. */
  async localConnections(serverId: string): Promise<ConnectionRecord[]> {
    return (await this.#sql.all('SELECT * FROM connections WHERE server_id = ? ORDER BY connected_ms, id', [serverId])).map(toConnection)
  }

  /** Connections held by live server processes, every project. */
  async liveConnections(aliveWithinMs: number): Promise<ConnectionRecord[]> {
    const rows = await this.#sql.all('SELECT c.* FROM connections c JOIN server_instances s ON s.id = c.server_id WHERE s.heartbeat_ms >= ?', [Date.now() - aliveWithinMs])
    return rows.map(toConnection)
  }

  /** Is there any fork or sweep still to run (the scheduler polls faster then)? */
  async hasOpenWork(): Promise<boolean> {
    // A running sweep is open work too, even with every variant final: maintenance (which runs
    // only while there is open work) is what finishes a sweep left running.
    const [row] = await this.#sql.all("SELECT 1 AS open FROM forks WHERE status IN ('queued', 'running') UNION ALL SELECT 1 AS open FROM sweeps WHERE status = 'running' LIMIT 1")
    return row !== undefined
  }

  /**
   * Takes queued forks for this process's workers: standalone forks first come first served,
   * then each running sweep's variants in order, never more than the sweep's `concurrency`
   * running at once across every process. Each taken fork gets a new command id and the
   * least busy of the workers that registered its function.
   */
  async claim(serverId: string, workers: readonly LocalWorker[], options: ClaimOptions = {}): Promise<ClaimedFork[]> {
    const limit = options.limit ?? 100
    if (!workers.length) return []
    const busy = new Map<string, number>()
    for (const row of await this.#sql.all<{ connection_id: string; n: number }>("SELECT connection_id, COUNT(*) AS n FROM forks WHERE status = 'running' AND server_id = ? GROUP BY connection_id", [serverId])) {
      busy.set(row.connection_id, Number(row.n))
    }
    const pick = (fork: ForkRecord): LocalWorker | undefined => {
      // A fork sent to a process that is still connected (elsewhere, maybe) and may hold it
      // queued goes back to that process only: another one could run it a second time.
      const pinned = fork.commandId !== null && fork.forkTraceId === null && fork.instanceId !== null && options.liveInstances?.has(fork.instanceId) === true
      if (pinned) return workers.find((worker) => worker.instanceId === fork.instanceId && worker.projectId === fork.projectId && worker.functions.has(fork.functionName))
      let best: LocalWorker | undefined
      for (const worker of workers) {
        if (worker.projectId !== fork.projectId || !worker.functions.has(fork.functionName)) continue
        // Sent again without knowing it arrived: to the same process if it is here (it runs a command once).
        if (fork.commandId !== null && worker.instanceId !== null && worker.instanceId === fork.instanceId) return worker
        if (!best || (busy.get(worker.connectionId) ?? 0) < (busy.get(best.connectionId) ?? 0)) best = worker
      }
      return best
    }
    const claimed: ClaimedFork[] = []
    const take = async (tx: SqlExecutor, rows: Row[], room: number) => {
      const now = Date.now()
      for (const row of rows) {
        if (claimed.length >= limit || room <= 0) return
        const fork = toFork(row)
        const worker = pick(fork)
        if (!worker) continue
        const attempt = fork.attempt + 1
        // A fork whose trace never started may have reached its worker: the same command again
        // (a worker runs a command once); a fork whose run started and was lost: a new one.
        const commandId = fork.commandId !== null && fork.forkTraceId === null ? fork.commandId : commandIdFor(fork.id, attempt)
        const { changes } = await tx.run(
          "UPDATE forks SET status = 'running', command_id = ?, attempt = ?, server_id = ?, connection_id = ?, instance_id = ?, started_ms = ?, lost_ms = NULL, worker_wait_ms = NULL, updated_ms = ? WHERE id = ? AND status = 'queued'",
          [commandId, attempt, serverId, worker.connectionId, worker.instanceId, now, now, fork.id],
        )
        if (!changes) continue
        room--
        busy.set(worker.connectionId, (busy.get(worker.connectionId) ?? 0) + 1)
        claimed.push({ fork: { ...fork, status: 'running', commandId, attempt, serverId, connectionId: worker.connectionId, instanceId: worker.instanceId, startedMs: now, lostMs: null, workerWaitMs: null }, connectionId: worker.connectionId })
      }
    }
    await this.#sql.transaction(async (tx) => {
      const rows = await tx.all(`SELECT * FROM forks WHERE status = 'queued' AND sweep_id IS NULL ORDER BY queued_ms, id LIMIT 200${this.#skipLocked(tx)}`)
      await take(tx, rows, limit)
    })
    const projects = new Set(workers.map((worker) => worker.projectId))
    const sweeps = await this.#sql.all<{ id: string; project_id: string }>("SELECT DISTINCT s.id, s.project_id, s.created_ms FROM sweeps s JOIN forks f ON f.sweep_id = s.id WHERE s.status = 'running' AND f.status = 'queued' ORDER BY s.created_ms")
    for (const sweep of sweeps) {
      if (!projects.has(sweep.project_id) || claimed.length >= limit) continue
      await this.#sql.transaction(async (tx) => {
        // The sweep's row is the lock: counting its running variants and taking more is one
        // step, whichever processes claim at the same time.
        const [locked] = await tx.all<{ concurrency: number; status: string }>(`SELECT concurrency, status FROM sweeps WHERE id = ?${this.#forUpdate(tx)}`, [sweep.id])
        if (!locked || locked.status !== 'running') return
        const [running] = await tx.all<{ n: number; here: number }>("SELECT COUNT(*) AS n, SUM(CASE WHEN server_id = ? THEN 1 ELSE 0 END) AS here FROM forks WHERE sweep_id = ? AND status = 'running'", [serverId, sweep.id])
        const room = Number(locked.concurrency) - Number(running?.n ?? 0)
        if (room <= 0) return
        const rows = await tx.all(`SELECT * FROM forks WHERE sweep_id = ? AND status = 'queued' ORDER BY variant_index LIMIT ?${this.#skipLocked(tx)}`, [sweep.id, room])
        // Several processes hold workers for this function: each takes its workers' share of
        // the sweep's slots, so every worker takes part (the first to look does not take all).
        const first = rows[0] ? toFork(rows[0]) : undefined
        const offering = first ? options.workersOffering?.get(`${first.projectId}\u0000${first.functionName}`) : undefined
        const here = first ? new Set(workers.filter((worker) => worker.projectId === first.projectId && worker.functions.has(first.functionName)).map((worker) => worker.instanceId ?? worker.connectionId)).size : 0
        const share = offering && offering > here ? Math.ceil((Number(locked.concurrency) * here) / offering) - Number(running?.here ?? 0) : room
        await take(tx, rows, Math.min(room, share))
      })
    }
    return claimed
  }

  /** Puts a fork back in the queue (its worker could not be reached); false if it was no longer running that command. */
  async requeue(forkId: string, commandId: string, message: string | null): Promise<boolean> {
    return this.#sql.transaction(async (tx) => {
      const now = Date.now()
      const { changes } = await tx.run("UPDATE forks SET status = 'queued', message = ?, connection_id = NULL, server_id = NULL, lost_ms = NULL, updated_ms = ? WHERE id = ? AND command_id = ? AND status = 'running'", [message, now, forkId, commandId])
      return changes > 0
    })
  }

  /** What the traces with these ids say about forks (only fork traces are returned). */
  async forkTraceStates(projectId: string, traceIds: readonly string[]): Promise<ForkTraceState[]> {
    if (!traceIds.length) return []
    const rows = await this.#sql.all(`SELECT id, fork_id, end_status, error FROM traces WHERE project_id = ? AND fork_id IS NOT NULL AND id IN (${traceIds.map(() => '?').join(', ')})`, [projectId, ...traceIds])
    return rows.map(toTraceState)
  }

  /** Command ids of forks sent to a worker and not finished (their traces may have ended unheard). */
  async openCommands(): Promise<string[]> {
    const rows = await this.#sql.all<{ command_id: string }>("SELECT command_id FROM forks WHERE status IN ('running', 'queued') AND command_id IS NOT NULL")
    return rows.map((row) => row.command_id)
  }

  /** The traces of these fork commands. */
  async tracesOfCommands(commandIds: readonly string[]): Promise<ForkTraceState[]> {
    if (!commandIds.length) return []
    const rows = await this.#sql.all(`SELECT id, fork_id, end_status, error FROM traces WHERE fork_id IN (${commandIds.map(() => '?').join(', ')})`, [...commandIds])
    return rows.map(toTraceState)
  }

  /**
   * Records what fork traces said: the fork's trace id once it started, and its end
   * (`completed` / `failed`). Idempotent (every server process may do it for the same
   * trace). Returns the forks that finished now, with the sweeps they belong to.
   */
  async applyForkTraces(states: readonly ForkTraceState[]): Promise<ForkRecord[]> {
    if (!states.length) return []
    return this.#sql.transaction(async (tx) => {
      const now = Date.now()
      const finished: ForkRecord[] = []
      for (const state of [...states].sort((a, b) => (a.commandId < b.commandId ? -1 : 1))) {
        if (state.ended) {
          const rows = await tx.all(
            "UPDATE forks SET fork_trace_id = ?, status = ?, message = ?, finished_ms = ?, lost_ms = NULL, updated_ms = ? WHERE command_id = ? AND status IN ('running', 'queued') RETURNING *",
            [state.traceId, state.ended, state.ended === 'failed' ? (state.errorMessage ?? 'The fork failed.') : null, now, now, state.commandId],
          )
          for (const row of rows) {
            const fork = toFork(row)
            finished.push(fork)
            if (fork.sweepId) await this.#finishSweepIfDone(tx, fork.sweepId, now)
          }
        } else {
          await tx.run('UPDATE forks SET fork_trace_id = ?, updated_ms = ? WHERE command_id = ? AND fork_trace_id IS NULL', [state.traceId, now, state.commandId])
        }
      }
      return finished
    })
  }

  /**
   * The maintenance pass (any process may run it; every change is conditional): forks whose
   * worker is gone are sent again after a grace period (or fail after `maxAttempts`), forks
   * running past the run timeout fail, queued forks whose function no live process registered
   * within the worker timeout end as `no_worker` with `noWorkerMessage`, and sweeps with
   * nothing left to run are finished. Returns how many forks changed.
   */
  async maintain(live: readonly ConnectionRecord[], timeouts: ForkTimeouts, noWorkerMessage: (fork: ForkRecord) => string): Promise<number> {
    const now = Date.now()
    const liveInstances = new Set(live.flatMap((connection) => (connection.instanceId ? [connection.instanceId] : [])))
    const liveConnections = new Set(live.map((connection) => connection.id))
    // Each process's newest connection: one that reconnected since a fork was sent to it may
    // not have got it (the command died with the old connection).
    const newest = new Map<string, { id: string; connectedMs: number }>()
    for (const connection of live) {
      if (!connection.instanceId) continue
      const connectedMs = Date.parse(connection.connectedAt)
      if ((newest.get(connection.instanceId)?.connectedMs ?? -1) < connectedMs) newest.set(connection.instanceId, { id: connection.id, connectedMs })
    }
    const offered = new Set(live.flatMap((connection) => connection.resumable.map((name) => `${connection.projectId}\u0000${name}`)))
    const open = (await this.#sql.all("SELECT * FROM forks WHERE status IN ('queued', 'running')")).map(toFork)
    const idleSweeps = await this.#sql.all<{ id: string }>("SELECT s.id FROM sweeps s WHERE s.status = 'running' AND NOT EXISTS (SELECT 1 FROM forks f WHERE f.sweep_id = s.id AND f.status IN ('created', 'queued', 'running'))")
    if (!open.length && !idleSweeps.length) return 0
    const liveServers = new Set((await this.#sql.all<{ id: string }>('SELECT id FROM server_instances WHERE heartbeat_ms >= ?', [now - timeouts.lostWorkerGraceMs * 2])).map((row) => row.id))
    // Decided outside the transaction, written in one only when something changes (the
    // store's one writer stays free when every fork is on time).
    const updates: Array<{ sql: string; params: SqlValue[]; counts: boolean; sweepId?: string | null }> = []
    const update = (sql: string, params: SqlValue[], counts = true, sweepId: string | null = null) => updates.push({ sql, params, counts, sweepId })
    for (const fork of open) {
      if (fork.status === 'running') {
        const alive = fork.instanceId ? liveInstances.has(fork.instanceId) : fork.connectionId !== null && liveConnections.has(fork.connectionId)
        if (fork.startedMs !== null && now - fork.startedMs > timeouts.runTimeoutMs) {
          update("UPDATE forks SET status = 'failed', message = ?, finished_ms = ?, updated_ms = ? WHERE id = ? AND status = 'running' AND command_id = ?", [
            `The fork did not finish within ${Math.round(timeouts.runTimeoutMs / 1000)} s (--fork-run-timeout).`, now, now, fork.id, fork.commandId,
          ], true, fork.sweepId)
        } else if (fork.forkTraceId === null && fork.instanceId !== null && fork.startedMs !== null && (newest.get(fork.instanceId)?.id ?? fork.connectionId) !== fork.connectionId && newest.get(fork.instanceId)!.connectedMs > fork.startedMs) {
          update("UPDATE forks SET status = 'queued', message = ?, server_id = NULL, connection_id = NULL, updated_ms = ? WHERE id = ? AND status = 'running' AND command_id = ? AND fork_trace_id IS NULL", [
            'The worker reconnected before this fork started; sent to it again under the same id.', now, fork.id, fork.commandId,
          ])
        } else if (fork.forkTraceId === null && fork.serverId !== null && !liveServers.has(fork.serverId) && fork.startedMs !== null && now - fork.startedMs > timeouts.lostWorkerGraceMs * 2) {
          // The server that sent it died, and the fork never started: the command may have died
          // with it. Sent again under the same id (a worker that got it runs it once).
          update("UPDATE forks SET status = 'queued', message = ?, server_id = NULL, connection_id = NULL, updated_ms = ? WHERE id = ? AND status = 'running' AND command_id = ? AND fork_trace_id IS NULL", [
            'The server that sent this fork went away before it started; sent again.', now, fork.id, fork.commandId,
          ])
        } else if (alive) {
          if (fork.lostMs !== null) update('UPDATE forks SET lost_ms = NULL WHERE id = ? AND command_id = ?', [fork.id, fork.commandId], false)
        } else if (fork.lostMs === null) {
          update('UPDATE forks SET lost_ms = ? WHERE id = ? AND command_id = ? AND lost_ms IS NULL', [now, fork.id, fork.commandId], false)
        } else if (now - fork.lostMs > timeouts.lostWorkerGraceMs) {
          // The worker is gone and did not come back: run the fork elsewhere, or give up.
          const give = fork.attempt >= timeouts.maxAttempts
          update(
            give
              ? "UPDATE forks SET status = 'failed', message = ?, finished_ms = ?, updated_ms = ? WHERE id = ? AND status = 'running' AND command_id = ?"
              : "UPDATE forks SET status = 'queued', message = ?, queued_ms = COALESCE(queued_ms, ?), connection_id = NULL, server_id = NULL, lost_ms = NULL, updated_ms = ? WHERE id = ? AND status = 'running' AND command_id = ?",
            [give ? `The worker running this fork went away ${fork.attempt} times.` : 'The worker running this fork went away; sent again.', now, now, fork.id, fork.commandId],
            true,
            give ? fork.sweepId : null,
          )
        }
      } else if (offered.has(`${fork.projectId}\u0000${fork.functionName}`)) {
        if (fork.workerWaitMs !== null) update("UPDATE forks SET worker_wait_ms = NULL WHERE id = ? AND status = 'queued'", [fork.id], false)
      } else if (fork.workerWaitMs === null) {
        update("UPDATE forks SET worker_wait_ms = ? WHERE id = ? AND status = 'queued' AND worker_wait_ms IS NULL", [now, fork.id], false)
      } else if (now - fork.workerWaitMs >= timeouts.workerTimeoutMs) {
        update("UPDATE forks SET status = 'no_worker', message = ?, finished_ms = ?, updated_ms = ? WHERE id = ? AND status = 'queued'", [noWorkerMessage(fork), now, now, fork.id], true, fork.sweepId)
      }
    }
    if (!updates.length && !idleSweeps.length) return 0
    return this.#sql.transaction(async (tx) => {
      let changed = 0
      const sweeps = new Set(idleSweeps.map((row) => row.id))
      for (const item of updates) {
        const { changes } = await tx.run(item.sql, item.params)
        if (item.counts) changed += changes
        if (changes && item.sweepId) sweeps.add(item.sweepId)
      }
      // In id order, so two processes maintaining at once lock the sweeps' rows in one order.
      for (const sweepId of [...sweeps].sort()) await this.#finishSweepIfDone(tx, sweepId, now)
      return changed
    })
  }

  /** Makes a fork's trace the baseline of `traceId` (appended to its lineage). */
  async commitBaseline(projectId: string, traceId: string, fork: { id: string; forkTraceId: string }): Promise<BaselineRecord> {
    return this.#sql.transaction(
      async (tx) => {
        const now = Date.now()
        const [last] = await tx.all<{ seq: number }>('SELECT MAX(seq) AS seq FROM baselines WHERE project_id = ? AND trace_id = ?', [projectId, traceId])
        const seq = Number(last?.seq ?? 0) + 1
        await tx.run('INSERT INTO baselines (project_id, trace_id, seq, baseline_trace_id, fork_id, committed_ms) VALUES (?, ?, ?, ?, ?, ?)', [projectId, traceId, seq, fork.forkTraceId, fork.id, now])
        await tx.run('UPDATE forks SET committed_ms = ?, updated_ms = ? WHERE id = ?', [now, now, fork.id])
        return { traceId, seq, baselineTraceId: fork.forkTraceId, forkId: fork.id, committedMs: now }
      },
      { lock: `retrace_baseline_${projectId}_${traceId}` },
    )
  }

  /** The run a trace is (or was) the committed baseline of, if any. */
  async baselineOwner(projectId: string, baselineTraceId: string): Promise<string | undefined> {
    const [row] = await this.#sql.all<{ trace_id: string }>('SELECT trace_id FROM baselines WHERE project_id = ? AND baseline_trace_id = ? ORDER BY seq DESC LIMIT 1', [projectId, baselineTraceId])
    return row?.trace_id
  }

  /** The commits made on a trace, oldest first (the last one is its baseline). */
  async lineage(projectId: string, traceId: string): Promise<BaselineRecord[]> {
    const rows = await this.#sql.all('SELECT * FROM baselines WHERE project_id = ? AND trace_id = ? ORDER BY seq', [projectId, traceId])
    return rows.map((row) => ({ traceId: String(row.trace_id), seq: Number(row.seq), baselineTraceId: String(row.baseline_trace_id), forkId: String(row.fork_id), committedMs: Number(row.committed_ms) }))
  }
}

function toTraceState(row: Row): ForkTraceState {
  const status = row.end_status === 'completed' || row.end_status === 'failed' ? row.end_status : null
  return { traceId: String(row.id), commandId: String(row.fork_id), ended: status, errorMessage: parseJson<{ message?: string }>(row.error)?.message ?? null }
}
