import { z } from 'zod'
import { JsonValueSchema } from '@retrace/cassettes'
import type { ServerServices } from '../../api/server-services.ts'
import type { TraceWithSpans } from '../../store/store.ts'
import { runRecordOf } from '../diff/fork-diff.ts'
import { ForkStatusSchema, SweepKindSchema, SweepStatusSchema, type ForkRecord, type SweepRecord } from '../../store/fork-records.ts'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

type VariantResult = NonNullable<z.infer<typeof VariantSchema>['result']>
/**
 * Results of ended fork traces, by trace: an ended trace never changes, and a sweep is polled
 * while it runs (each poll would compare every finished variant again).
 */
const RESULTS = new Map<string, VariantResult>()
const MAX_RESULTS = 5_000

function remember(key: string, result: VariantResult): void {
  RESULTS.set(key, result)
  if (RESULTS.size > MAX_RESULTS) RESULTS.delete(RESULTS.keys().next().value!)
}

export const SweepProgressSchema = z.object({
  total: z.number().int(),
  done: z.number().int().describe('Variants that will not change any more (completed, failed, no_worker, cancelled).'),
  queued: z.number().int(),
  running: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  no_worker: z.number().int(),
  cancelled: z.number().int(),
})

export const VariantSchema = z.object({
  index: z.number().int(),
  label: z.string().nullable(),
  modified_input: JsonValueSchema,
  fork_id: z.string(),
  status: ForkStatusSchema,
  message: z.string().nullable(),
  fork_trace_id: z.string().nullable(),
  attempt: z.number().int(),
  worker_instance_id: z.string().nullable(),
  result: z
    .object({
      status: z.string(),
      output: JsonValueSchema.nullable(),
      divergence_score: z.number().describe('Against the original run: 0 the same, 1 nothing in common.'),
      verdict: z.enum(['identical', 'equivalent', 'diverged']),
      first_divergent_step: z.number().int().nullable(),
      cost_usd: z.number(),
      duration_ms: z.number().nullable(),
    })
    .nullable()
    .describe('Once the variant’s run ended.'),
})

export const SweepSchema = z.object({
  id: z.string(),
  kind: SweepKindSchema,
  status: SweepStatusSchema,
  trace_id: z.string(),
  fork_point_span_id: z.string(),
  concurrency: z.number().int(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  cancelled_at: z.string().nullable(),
  progress: SweepProgressSchema,
  variants: z.array(VariantSchema),
})
export type SweepView = z.infer<typeof SweepSchema>

/**
 * How far a sweep got, from its variants.
 *
 * @example
 * progressOf([{ status: 'completed' }, { status: 'running' }, { status: 'failed' }, { status: 'queued' }])
 * // → { total: 4, done: 2, queued: 1, running: 1, completed: 1, failed: 1, no_worker: 0, cancelled: 0 }
 */
export function progressOf(variants: readonly ForkRecord[]): z.infer<typeof SweepProgressSchema> {
  const count = (status: ForkRecord['status']) => variants.filter((variant) => variant.status === status).length
  const progress = { total: variants.length, done: 0, queued: count('queued') + count('created'), running: count('running'), completed: count('completed'), failed: count('failed'), no_worker: count('no_worker'), cancelled: count('cancelled') }
  progress.done = progress.completed + progress.failed + progress.no_worker + progress.cancelled
  return progress
}

/**
 * A sweep with its progress and each variant's result (compared with the original run by
 * the divergence engine once the variant's run ended).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { resolveServerConfig } from '../../config/server-config.ts'
 * import { ConnectionRegistry } from '../../ingest/connection-registry.ts'
 * import { IngestWriter } from '../../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../../ingest/rate-limiter.ts'
 * import { createLogger } from '../../logging/logger.ts'
 * import { openStore } from '../../store/open-store.ts'
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
 * // In a route: return { body: await sweepView(services, sweep) }
 * const variant = { projectId: project.id, traceId: 'tr_1', spanId: 'tr_1.2', forkPointStep: 2, forkPointToolCall: null, functionName: 'weather' }
 * const { sweep } = await store.forks.createSweep({ projectId: project.id, kind: 'sweep', traceId: 'tr_1', spanId: 'tr_1.2', concurrency: 2 }, [{ ...variant, modifiedInput: 'Oslo?', label: 'oslo' }, { ...variant, modifiedInput: 'Rome?', label: 'rome' }])
 * const view = await sweepView(services, sweep)
 * view.variants.map((entry) => entry.label) // → ['oslo', 'rome']
 * view.progress.total // → 2
 * services.connections.dispose()
 * await store.close()
 */
export async function sweepView(services: ServerServices, sweep: SweepRecord, variants?: readonly ForkRecord[]): Promise<SweepView> {
  const forks = variants ?? (await services.store.forks.sweepVariants(sweep.id))
  const cacheKey = (fork: ForkRecord) => `${sweep.projectId}\u0000${sweep.traceId}\u0000${fork.forkTraceId}`
  const ended = forks.filter((fork) => fork.forkTraceId && (fork.status === 'completed' || fork.status === 'failed'))
  const results = new Map<string, VariantResult | null>()
  const missing = ended.filter((fork) => {
    const cached = RESULTS.get(cacheKey(fork))
    if (cached) results.set(fork.id, cached)
    return !cached
  })
  const original = missing.length ? await services.store.getTrace(sweep.projectId, sweep.traceId) : undefined
  const compareRuns = missing.length && original ? (await import('@retrace/divergence')).compareRuns : undefined
  for (const fork of missing) {
    const traced: TraceWithSpans | undefined = await services.store.getTrace(sweep.projectId, fork.forkTraceId!)
    if (!traced || !original || !compareRuns) continue
    const divergence = compareRuns(runRecordOf(original), runRecordOf(traced))
    const result: VariantResult = {
      status: traced.trace.status,
      output: traced.trace.output,
      divergence_score: Number((1 - divergence.score).toFixed(12)),
      verdict: divergence.verdict,
      first_divergent_step: divergence.firstDivergentStep ?? null,
      cost_usd: traced.trace.totals.usd,
      duration_ms: traced.trace.totals.durationMs,
    }
    results.set(fork.id, result)
    if (traced.trace.status !== 'running') remember(cacheKey(fork), result)
  }
  return {
    id: sweep.id,
    kind: sweep.kind,
    status: sweep.status,
    trace_id: sweep.traceId,
    fork_point_span_id: sweep.spanId,
    concurrency: sweep.concurrency,
    created_at: iso(sweep.createdMs)!,
    finished_at: iso(sweep.finishedMs),
    cancelled_at: iso(sweep.cancelledMs),
    progress: progressOf(forks),
    variants: forks.map((fork) => ({
      index: fork.variantIndex ?? 0,
      label: fork.label,
      modified_input: (fork.modifiedInput ?? null) as z.infer<typeof JsonValueSchema>,
      fork_id: fork.id,
      status: fork.status,
      message: fork.message,
      fork_trace_id: fork.forkTraceId,
      attempt: fork.attempt,
      worker_instance_id: fork.instanceId,
      result: results.get(fork.id) ?? null,
    })),
  }
}
