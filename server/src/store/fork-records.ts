import { z } from 'zod'
import { JsonValueSchema } from '@retrace/cassettes'

// What the fork API serves, one zod schema per resource (the source of the TypeScript types
// and of the OpenAPI document). Field names follow the request bodies (snake_case).

/**
 * `created` (POST /forks) → `queued` (replay asked; waiting for a worker or a free slot) →
 * `running` (sent to one worker) → `completed` | `failed` | `no_worker` (no process registered
 * the function within the timeout; `message` says how to start one). Sweep variants not run
 * are `cancelled` when their sweep is.
 */
export const ForkStatusSchema = z.enum(['created', 'queued', 'running', 'completed', 'failed', 'no_worker', 'cancelled'])
export type ForkStatus = z.infer<typeof ForkStatusSchema>

/** Statuses a fork does not leave on its own. */
export const FINAL_FORK_STATUSES: ReadonlySet<ForkStatus> = new Set(['completed', 'failed', 'no_worker', 'cancelled'])

export const ForkSchema = z.object({
  id: z.string(),
  status: ForkStatusSchema,
  trace_id: z.string().describe('The recorded run this fork branches from.'),
  fork_point_span_id: z.string(),
  fork_point_step: z.number().int().positive().describe('1-based LLM step from which calls run live (PROTOCOL.md §8); steps before it are served from the recording.'),
  fork_point_tool_call: z.number().int().positive().nullable().describe('For a fork at a tool or agent span: tool() calls from this one on run live.'),
  function: z.string().describe('The resumable function that re-runs (record({ name, resumable: true })).'),
  modified_input: JsonValueSchema,
  fork_trace_id: z.string().nullable().describe('The trace the fork recorded, once it started.'),
  message: z.string().nullable().describe('Why it failed, found no worker, or was cancelled.'),
  attempt: z.number().int().nonnegative().describe('How many times it was sent to a worker (again after a worker was lost).'),
  worker_instance_id: z.string().nullable().describe('The process it was last sent to (the instanceId of its register message).'),
  sweep_id: z.string().nullable(),
  variant_index: z.number().int().nonnegative().nullable(),
  label: z.string().nullable(),
  created_at: z.string(),
  queued_at: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  committed_at: z.string().nullable().describe('Set once committed as its trace’s new baseline.'),
})
export type Fork = z.infer<typeof ForkSchema>

export const SweepKindSchema = z.enum(['sweep', 'sensitivity'])
export const SweepStatusSchema = z.enum(['running', 'completed', 'cancelled'])

/** A sweep as stored (its variants are forks with its `sweep_id`). */
export interface SweepRecord {
  id: string
  projectId: string
  kind: z.infer<typeof SweepKindSchema>
  traceId: string
  spanId: string
  concurrency: number
  status: z.infer<typeof SweepStatusSchema>
  params: Record<string, unknown> | null
  report: unknown
  createdMs: number
  finishedMs: number | null
  cancelledMs: number | null
}

/** A fork as stored, with the bookkeeping the API does not show. */
export interface ForkRecord {
  id: string
  projectId: string
  traceId: string
  spanId: string
  forkPointStep: number
  forkPointToolCall: number | null
  functionName: string
  modifiedInput: unknown
  status: ForkStatus
  message: string | null
  sweepId: string | null
  variantIndex: number | null
  label: string | null
  commandId: string | null
  attempt: number
  forkTraceId: string | null
  serverId: string | null
  connectionId: string | null
  instanceId: string | null
  lostMs: number | null
  workerWaitMs: number | null
  createdMs: number
  queuedMs: number | null
  startedMs: number | null
  finishedMs: number | null
  committedMs: number | null
}

export interface BaselineRecord {
  traceId: string
  seq: number
  baselineTraceId: string
  forkId: string
  committedMs: number
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

/**
 * A stored fork as the API shows it.
 *
 * @example
 * return { body: forkView(record) }
 */
export function forkView(fork: ForkRecord): Fork {
  return {
    id: fork.id,
    status: fork.status,
    trace_id: fork.traceId,
    fork_point_span_id: fork.spanId,
    fork_point_step: fork.forkPointStep,
    fork_point_tool_call: fork.forkPointToolCall,
    function: fork.functionName,
    modified_input: fork.modifiedInput as z.infer<typeof JsonValueSchema>,
    fork_trace_id: fork.forkTraceId,
    message: fork.message,
    attempt: fork.attempt,
    worker_instance_id: fork.instanceId,
    sweep_id: fork.sweepId,
    variant_index: fork.variantIndex,
    label: fork.label,
    created_at: iso(fork.createdMs)!,
    queued_at: iso(fork.queuedMs),
    started_at: iso(fork.startedMs),
    finished_at: iso(fork.finishedMs),
    committed_at: iso(fork.committedMs),
  }
}
