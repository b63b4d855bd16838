// What the API answers, as the dashboard reads it. The trace, session and share records are
// the server's own types (type-only imports: nothing of the server is bundled). The Fork &
// Replay answers follow the API contract of issue 11 (the seed's paths and bodies).
import type { AgentTopology } from '@retrace/detectors'
import type { SessionSummary, ShareLink, SpanNode, TraceRecord, TraceSummary } from '@retrace/server'

export type { AgentTopology, SessionSummary, ShareLink, SpanNode, TraceRecord, TraceSummary }
export type { Message, MessagePart, Step } from '@retrace/cassettes'
export type { WireSpan } from '@retrace/protocol'

export interface TracePage {
  traces: TraceSummary[]
  nextCursor: string | null
}

export interface TraceDetail {
  trace: TraceRecord
  spans: SpanNode[]
}

/** A shared trace: no project or key, only the trace, its tree and its topology. */
export interface SharedTrace {
  share: { expiresAt: string | null }
  trace: Omit<TraceRecord, 'projectId'>
  spans: SpanNode[]
  topology: AgentTopology
}

export interface DashboardSession {
  signedIn: true
  project: { id: string; name: string }
  key: { id: string; name: string; prefix: string; scopes: Array<'ingest' | 'read' | 'admin'> }
  sharing: 'on' | 'off'
}

export interface SessionPage {
  sessions: SessionSummary[]
  nextCursor: string | null
}

export interface CreatedShare {
  share: ShareLink
  token: string
  url: string
  path: string
}

export type ForkStatus = 'created' | 'queued' | 'running' | 'completed' | 'failed' | 'no_worker' | 'cancelled'

/** `GET /api/v1/forks/:id` (fields beyond id and status are read when present). */
export interface Fork {
  id: string
  status: ForkStatus
  traceId?: string
  forkPointSpanId?: string
  forkTraceId?: string | null
  modifiedInput?: unknown
  message?: string | null
  error?: string | { message: string } | null
  [field: string]: unknown
}
