import type { JsonValue } from '@retrace/cassettes'
import type { ErrorInfo, WireEvent, WireSpan } from '@retrace/protocol'
import type { ForkStore } from './fork-store.ts'
import type { DetectionStore } from './detection-record.ts'
import type { ShareLinkStore } from './share-link.ts'
import type { ChangeFeed } from './change-feed.ts'
import type { Budgets, ConnectionRecord, GitMetadata, KeyRecord, ProjectRecord, Scope, SessionSummary, TraceRecord, TraceStatus, TraceSummary } from './records.ts'

export * from './records.ts'

// The repository port: everything the server keeps, behind one interface with two drivers
// (embedded SQLite, PostgreSQL) chosen by the database URL. Handlers never see SQL.

/** Validated events of one batch, for one project. */
export interface IngestBatch {
  accountId: string
  projectId: string
  events: readonly WireEvent[]
  /** Per event (same order): secret-shaped values masked in it before storing, counted on the project. */
  secrets?: readonly number[] | undefined
}

export interface IngestCounts {
  accepted: number
  duplicates: number
}

export interface TraceFilter {
  name?: string | undefined
  sessionId?: string | undefined
  status?: TraceStatus | undefined
  tag?: string | undefined
  /** Epoch ms, inclusive. */
  fromMs?: number | undefined
  /** Epoch ms, exclusive. */
  toMs?: number | undefined
  hasError?: boolean | undefined
  lossy?: boolean | undefined
  /** Case-insensitive substring of the name, id, session, input or output. */
  search?: string | undefined
  /** The run's cost in USD, inclusive bounds. */
  minUsd?: number | undefined
  maxUsd?: number | undefined
  /** `newest` (default), `oldest`, `cost` (highest first), `duration` (longest first). */
  sort?: TraceSort | undefined
  limit: number
  /** The sort key after which to continue (from `decodeCursor`). */
  after?: [number, string] | undefined
}

export const TRACE_SORTS = ['newest', 'oldest', 'cost', 'duration'] as const
export type TraceSort = (typeof TRACE_SORTS)[number]

export interface TraceWithSpans {
  trace: TraceRecord
  /** Every span of the trace, by start time. */
  spans: WireSpan[]
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/** A trace made from a pushed cassette, stored whole in one transaction. */
export interface CassetteTraceInput {
  projectId: string
  contentHash: string
  /** The cassette as uploaded (canonical JSON text), returned verbatim by `pull`. */
  body: string
  start: { id: string; name: string; startedAt: string; metadata?: Record<string, JsonValue> }
  end: { endedAt: string; status: 'completed' | 'failed'; output?: JsonValue; error?: ErrorInfo; totals: { inputTokens: number; outputTokens: number; usd: number; durationMs: number } }
  spans: WireSpan[]
  git: GitMetadata | null
}

/** A message for one SDK connection, possibly held by another server process. */
export interface CommandRecord {
  id: string
  serverId: string
  connectionId: string
  payload: string
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres'
  /** Cross-process notifications (in-process on SQLite, LISTEN/NOTIFY on PostgreSQL). */
  readonly feed: ChangeFeed
  /** Forks, sweeps and baselines (Fork & Replay). */
  readonly forks: ForkStore
  /** Public share links to traces (the dashboard's Share). */
  readonly shares: ShareLinkStore
  /** The multi-agent detectors' flags stored with traces. */
  readonly detections: DetectionStore

  /** First start: creates an account, a project and its first key when there is no project yet. */
  bootstrap(key: { id: string; hash: string; prefix: string }): Promise<{ project: ProjectRecord; keyId: string } | undefined>

  createProject(accountId: string, name: string): Promise<ProjectRecord>
  getProject(projectId: string): Promise<ProjectRecord | undefined>
  updateProject(projectId: string, patch: { name?: string | undefined; budgets?: Partial<Budgets> | undefined; maxEventsPerDay?: number | null | undefined }): Promise<ProjectRecord | undefined>

  createKey(key: { id: string; projectId: string; accountId: string; name: string; prefix: string; hash: string; scopes: Scope[]; rateLimit?: number | null | undefined }): Promise<KeyRecord>
  findKeyByHash(hash: string): Promise<KeyRecord | undefined>
  listKeys(projectId: string): Promise<KeyRecord[]>
  revokeKey(projectId: string, keyId: string): Promise<KeyRecord | undefined>
  /** Renames a key or sets its rate limit (null: the server's default); undefined when the project has no such key. */
  updateKey(projectId: string, keyId: string, patch: { name?: string | undefined; rateLimit?: number | null | undefined }): Promise<KeyRecord | undefined>

  /** Stores validated batches in one transaction; each event id once per account. */
  ingest(batches: readonly IngestBatch[]): Promise<{ counts: IngestCounts[]; changed: Map<string, Set<string>> }>
  usageOn(projectId: string, day: string): Promise<{ events: number; usd: number }>
  /** Forgets up to `limit` event ids received before `beforeMs` (the dedupe ledger's retention); returns how many. */
  pruneEventIds(beforeMs: number, limit: number): Promise<number>

  listTraces(projectId: string, filter: TraceFilter): Promise<Page<TraceSummary>>
  getTrace(projectId: string, traceId: string): Promise<TraceWithSpans | undefined>
  listSessions(projectId: string, options: { limit: number; after?: [number, string] | undefined }): Promise<Page<SessionSummary>>
  getSession(projectId: string, sessionId: string): Promise<{ session: SessionSummary; traces: TraceSummary[] } | undefined>

  findCassetteTrace(projectId: string, contentHash: string): Promise<string | undefined>
  storeCassetteTrace(input: CassetteTraceInput): Promise<{ traceId: string; created: boolean }>
  getCassetteBody(projectId: string, traceId: string): Promise<string | undefined>

  registerServer(serverId: string): Promise<void>
  heartbeat(serverId: string): Promise<void>
  unregisterServer(serverId: string): Promise<void>
  saveConnection(connection: ConnectionRecord): Promise<void>
  removeConnection(connectionId: string): Promise<void>
  /** Connections held by live server processes (heartbeat within `aliveWithinMs`). */
  listConnections(projectId: string, aliveWithinMs: number): Promise<ConnectionRecord[]>
  getConnection(connectionId: string): Promise<ConnectionRecord | undefined>
  enqueueCommand(command: CommandRecord): Promise<void>
  /** Marks a command delivered and returns it (undefined if already taken). */
  takeCommand(commandId: string): Promise<CommandRecord | undefined>

  close(): Promise<void>
}
