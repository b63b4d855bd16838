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
 * return { body: await sweepView(services, sweep) }
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
