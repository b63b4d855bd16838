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
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../auth/api-keys.ts'
 * import { resolveServerConfig } from '../config/server-config.ts'
 * import { ConnectionRegistry } from '../ingest/connection-registry.ts'
 * import { IngestWriter } from '../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../ingest/rate-limiter.ts'
 * import { createLogger } from '../logging/logger.ts'
 * import { openStore } from '../store/open-store.ts'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
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
 * // In a route: return { body: forkView(record) }
 * const record = await store.forks.createFork({ projectId: project.id, traceId: 'tr_1', spanId: 'tr_1.2', forkPointStep: 2, forkPointToolCall: null, functionName: 'weather', modifiedInput: 'Oslo?' })
 * const view = forkView(record)
 * ;[view.trace_id, view.fork_point_step, view.status] // → ['tr_1', 2, 'created']
 * services.connections.dispose()
 * await store.close()
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
