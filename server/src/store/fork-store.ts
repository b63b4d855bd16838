import type { BaselineRecord, ForkRecord, SweepRecord } from './fork-records.ts'
import type { ConnectionRecord } from './records.ts'

// The fork repository's contract (Fork & Replay): forks are jobs on the database, sweeps cap
// how many of their variants run at once across every server process, and commits keep a
// trace's lineage of baselines. `SqlForkStore` (sql/sql-fork-store.ts) implements it on both
// engines.

/** What creating a fork needs. */
export type NewFork = Pick<ForkRecord, 'projectId' | 'traceId' | 'spanId' | 'forkPointStep' | 'forkPointToolCall' | 'functionName' | 'modifiedInput'> &
  Partial<Pick<ForkRecord, 'sweepId' | 'variantIndex' | 'label'>> & {
    /** Created `queued` (sweep variants, inline edits replayed at once) instead of `created`. */
    queued?: boolean
  }

/** A registered SDK connection held by this server process, as a claim sees it. */
export interface LocalWorker {
  connectionId: string
  projectId: string
  instanceId: string | null
  functions: ReadonlySet<string>
}

/** A fork taken for a worker. */
export interface ClaimedFork {
  fork: ForkRecord
  connectionId: string
}

/** What a claim knows about the other processes. */
export interface ClaimOptions {
  /** Most forks taken in one claim (default 100). */
  limit?: number
  /** How many distinct processes offer each function, by `projectId \u0000 name`: a sweep's slots are shared among them. */
  workersOffering?: ReadonlyMap<string, number>
  /** Processes (instance ids) connected to any live server. */
  liveInstances?: ReadonlySet<string>
}

/** What a fork trace said so far. */
export interface ForkTraceState {
  traceId: string
  commandId: string
  ended: 'completed' | 'failed' | null
  errorMessage: string | null
}

/** How long things may take before the maintenance pass acts. */
export interface ForkTimeouts {
  workerTimeoutMs: number
  runTimeoutMs: number
  lostWorkerGraceMs: number
  /** Most times a fork is sent to a worker before it fails. */
  maxAttempts: number
}

/** The sweep a `createSweep` makes (its variants are passed beside it). */
export interface NewSweep {
  projectId: string
  kind: SweepRecord['kind']
  traceId: string
  spanId: string
  concurrency: number
  params: Record<string, unknown> | null
}

/** Forks, sweeps and baselines of every project. */
export interface ForkStore {
  createFork(input: NewFork): Promise<ForkRecord>
  getFork(projectId: string, forkId: string): Promise<ForkRecord | undefined>
  /** Forks of a trace, oldest first. */
  forksOfTrace(projectId: string, traceId: string): Promise<ForkRecord[]>
  /** Queues a fork to run (`created`, `no_worker`, `cancelled`; with `force` finished ones too); `queued` says whether it was queued now. */
  requestReplay(projectId: string, forkId: string, force: boolean): Promise<{ fork: ForkRecord; queued: boolean } | undefined>
  createSweep(sweep: NewSweep, variants: readonly NewFork[]): Promise<{ sweep: SweepRecord; forks: ForkRecord[] }>
  getSweep(projectId: string, sweepId: string): Promise<SweepRecord | undefined>
  sweepVariants(sweepId: string): Promise<ForkRecord[]>
  /** Variants not started become `cancelled`; running ones finish. */
  cancelSweep(projectId: string, sweepId: string): Promise<SweepRecord | undefined>
  saveSweepReport(sweepId: string, report: unknown): Promise<void>
  /** Connections this server process holds, with what they registered. */
  localConnections(serverId: string): Promise<ConnectionRecord[]>
  /** Connections held by live server processes, every project. */
  liveConnections(aliveWithinMs: number): Promise<ConnectionRecord[]>
  hasOpenWork(): Promise<boolean>
  /** Takes queued forks for this process's workers, within every sweep's concurrency across processes. */
  claim(serverId: string, workers: readonly LocalWorker[], options?: ClaimOptions): Promise<ClaimedFork[]>
  /** Puts a fork back in the queue; false if it was no longer running that command. */
  requeue(forkId: string, commandId: string, message: string | null): Promise<boolean>
  forkTraceStates(projectId: string, traceIds: readonly string[]): Promise<ForkTraceState[]>
  openCommands(): Promise<string[]>
  tracesOfCommands(commandIds: readonly string[]): Promise<ForkTraceState[]>
  /** Records what fork traces said (idempotent); returns the forks that finished now. */
  applyForkTraces(states: readonly ForkTraceState[]): Promise<ForkRecord[]>
  /** Lost workers, run timeouts, `no_worker`, finished sweeps; returns how many forks changed. */
  maintain(live: readonly ConnectionRecord[], timeouts: ForkTimeouts, noWorkerMessage: (fork: ForkRecord) => string): Promise<number>
  commitBaseline(projectId: string, traceId: string, fork: { id: string; forkTraceId: string }): Promise<BaselineRecord>
  baselineOwner(projectId: string, baselineTraceId: string): Promise<string | undefined>
  lineage(projectId: string, traceId: string): Promise<BaselineRecord[]>
}
