// What the API answers, as the dashboard reads it. The trace, session and share records are
// the server's own types (type-only imports: nothing of the server is bundled). The Fork &
// Replay answers follow the API contract of issue 11 (the seed's paths and bodies).
import type { AgentTopology } from '@retrace/detectors'
import type { SessionSummary, ShareLink, SpanNode, TraceDetections, TraceRecord, TraceSummary } from '@retrace/server'

export type { AgentTopology, SessionSummary, ShareLink, SpanNode, TraceDetections, TraceRecord, TraceSummary }
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

// The Fork & Replay answers (issue 11; snake_case, as its request bodies). Mirrors of the
// server's zod schemas: GET /api/v1/openapi.json has them in full.

export type ForkStatus = 'created' | 'queued' | 'running' | 'completed' | 'failed' | 'no_worker' | 'cancelled'

/** Statuses a fork does not leave on its own. */
export const FINAL_FORK_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'no_worker', 'cancelled'])

/** `POST /api/v1/forks`, `GET /api/v1/forks/:id`. */
export interface Fork {
  id: string
  status: ForkStatus
  trace_id: string
  fork_point_span_id: string
  fork_point_step: number
  function: string
  modified_input: unknown
  fork_trace_id: string | null
  message: string | null
  sweep_id: string | null
  label: string | null
  created_at: string
  finished_at: string | null
}

export interface StepMetrics {
  input_tokens: number
  output_tokens: number
  cost_usd: number
  latency_ms: number
}

export interface DiffSide extends StepMetrics {
  span_id: string
  model: string | null
  /** Served from the recording (no provider call). */
  replayed: boolean
  text: string
  tool_calls: Array<{ name: string; arguments: unknown }>
}

export interface DiffTotals extends StepMetrics {
  steps: number
  duration_ms: number | null
  live_cost_usd: number
}

/** `GET /api/v1/forks/:id/diff`. */
export interface ForkDiff {
  fork_id: string
  trace_id: string
  fork_trace_id: string
  fork_point_step: number
  divergence: { score: number; verdict: 'identical' | 'equivalent' | 'diverged'; first_divergent_step: number | null; reasons: string[] }
  steps: Array<{
    step: number | null
    fork_step: number | null
    status: 'identical' | 'equivalent' | 'diverged' | 'missing' | 'added'
    similarity: number
    original: DiffSide | null
    fork: DiffSide | null
    delta: StepMetrics
  }>
  totals: { original: DiffTotals; fork: DiffTotals; delta: DiffTotals }
  outcome: { original: { status: string; output: unknown }; fork: { status: string; output: unknown } }
}

/** `GET /api/v1/forks/:id/estimate`. */
export interface ForkEstimate {
  fork_id: string
  fork_point_step: number
  full_rerun_usd: number
  naive_usd: number
  optimized_usd: number
  savings_usd: number
  savings_pct: number
  savings: { differential_replay_usd: number; semantic_cache_usd: number; context_compression_usd: number }
  steps: Array<{ step: number; span_id: string; model: string | null; input_tokens: number; output_tokens: number; treatment: 'recording' | 'semantic_cache' | 'compressed' | 'live'; naive_usd: number; optimized_usd: number }>
  assumptions: string[]
}

export interface SweepProgress {
  total: number
  done: number
  queued: number
  running: number
  completed: number
  failed: number
  no_worker: number
  cancelled: number
}

export interface SweepVariant {
  index: number
  label: string | null
  modified_input: unknown
  fork_id: string
  status: ForkStatus
  message: string | null
  fork_trace_id: string | null
  result: { status: string; output: unknown; divergence_score: number; verdict: 'identical' | 'equivalent' | 'diverged'; first_divergent_step: number | null; cost_usd: number; duration_ms: number | null } | null
}

/** `POST /api/v1/forks/sweep`, `GET /api/v1/forks/sweep/:id`. */
export interface Sweep {
  id: string
  kind: 'sweep' | 'sensitivity'
  status: 'running' | 'completed' | 'cancelled'
  trace_id: string
  fork_point_span_id: string
  concurrency: number
  progress: SweepProgress
  variants: SweepVariant[]
}

/** `POST /api/v1/forks/sensitivity`, `GET /api/v1/forks/sensitivity/:id`. */
export interface Sensitivity {
  id: string
  status: 'running' | 'completed' | 'cancelled'
  trace_id: string
  fork_point_span_id: string
  k: number
  seed: number | string
  perturbations: string[]
  progress: SweepProgress
  variants: Array<{ label: string; kind: string; modified_input: unknown; fork_id: string; status: string }>
  report: {
    k: number
    scored: number
    sensitivity_score: number
    flip_rate: number
    fork_point_step: number
    per_step_flip_rate: Array<{ step: number; rate: number; variants: number }>
    variants: Array<{ label: string; kind: string; modified_input: unknown; status: string; divergence_score: number; first_divergent_step: number | null; flipped: boolean; flip_reasons: string[] }>
  } | null
}
