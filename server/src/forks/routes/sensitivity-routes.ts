import { z } from 'zod'
import { JsonValueSchema, type JsonValue } from '@retrace/cassettes'
import { defineRoute } from '../../api/route-spec.ts'
import type { ServerServices } from '../../api/server-services.ts'
import { orNotFound } from '../../api/routes/trace-routes.ts'
import { ApiError } from '../../errors/server-errors.ts'
import { runRecordOf } from '../diff/fork-diff.ts'
import { PERTURBATIONS, perturbInput } from '../sensitivity/perturbations.ts'
import { sensitivityReport, SensitivityReportSchema, type SensitivityReport, type VariantRun } from '../sensitivity/sensitivity-report.ts'
import type { SweepRecord } from '../../store/fork-records.ts'
import { progressOf, SweepProgressSchema } from '../sweeps/sweep-view.ts'
import { announceQueued, newForkAt, resolveForkPoint } from './fork-lookup.ts'
import { FunctionNameSchema, idField } from './fork-routes.ts'
import { ConcurrencySchema, DEFAULT_SWEEP_CONCURRENCY } from './sweep-routes.ts'

const SensitivitySchema = z.object({
  id: z.string().describe('Also a sweep id: GET /api/v1/forks/sweep/{id} shows its variants’ runs.'),
  status: z.enum(['running', 'completed', 'cancelled']),
  trace_id: z.string(),
  fork_point_span_id: z.string(),
  k: z.number().int(),
  seed: z.union([z.number(), z.string()]),
  perturbations: z.array(z.string()),
  progress: SweepProgressSchema,
  variants: z.array(z.object({ label: z.string(), kind: z.string(), modified_input: JsonValueSchema, fork_id: z.string(), status: z.string() })),
  report: SensitivityReportSchema.nullable().describe('Once every variant ended.'),
})

interface SensitivityParams {
  k: number
  seed: number | string
  perturbations: string[]
  kinds: string[]
  forkPointStep: number
}

const available = (services: ServerServices) => [...PERTURBATIONS, ...(services.perturbations ?? [])]

export const createSensitivity = defineRoute({
  method: 'post',
  path: '/api/v1/forks/sensitivity',
  tag: 'sensitivity',
  summary:
    'Score how much a run’s outcome depends on small changes of its input: k deterministic perturbations of the input (typos, case, whitespace, word order, paraphrase, changed numbers, a dropped sentence, added emphasis; the same seed gives the same ones) run as a sweep from the fork point. Answers at once; GET /api/v1/forks/sensitivity/{id} returns the report when every variant ended: the sensitivity score (ProSA PSS), the flip rate and the per-step flip rate.',
  scope: 'ingest',
  body: z.strictObject({
    trace_id: idField(),
    fork_point_span_id: idField(),
    k: z.number().int().min(2).max(100).optional().describe('How many perturbed variants (default 8).'),
    seed: z.union([z.number().int(), z.string().max(200)]).optional().describe('The same seed gives the same variants (default 0).'),
    perturbations: z.array(z.string()).min(1).optional().describe('Which perturbations to use (default all).'),
    input: JsonValueSchema.optional().describe('The input to perturb (default: the run’s own input).'),
    concurrency: ConcurrencySchema.optional(),
    function: FunctionNameSchema.optional(),
  }),
  responses: { 202: { description: 'Started; the report comes when every variant ended.', schema: SensitivitySchema } },
  async handler({ key, body, services }) {
    const known = available(services)
    const unknown = (body.perturbations ?? []).filter((name) => !known.some((perturbation) => perturbation.name === name))
    if (unknown.length) throw new ApiError(400, 'bad_request', `perturbations: unknown ${unknown.map((name) => `"${name.slice(0, 50)}"`).join(', ')}; available: ${known.map((perturbation) => perturbation.name).join(', ')}.`)
    const resolved = await resolveForkPoint(services, key.projectId, body.trace_id, body.fork_point_span_id)
    const input = (body.input ?? resolved.found.trace.input) as JsonValue | null
    const k = body.k ?? 8
    const seed = body.seed ?? 0
    const perturbations = body.perturbations ?? known.map((perturbation) => perturbation.name)
    const generated = input === null ? undefined : perturbInput(input, { k, seed, kinds: perturbations, available: known })
    if (!generated) throw new ApiError(400, 'bad_request', `input: the run’s input holds no text to perturb${input === null ? ' (it was not recorded)' : ''}; pass the input to perturb as "input".`)
    const params: SensitivityParams = { k, seed, perturbations, kinds: generated.map((variant) => variant.kind), forkPointStep: resolved.point.step }
    const { sweep, forks } = await services.store.forks.createSweep(
      { projectId: key.projectId, kind: 'sensitivity', traceId: body.trace_id, spanId: body.fork_point_span_id, concurrency: body.concurrency ?? DEFAULT_SWEEP_CONCURRENCY, params: { ...params } },
      generated.map((variant) => newForkAt(key.projectId, resolved, variant.input, body.function, { label: variant.label })),
    )
    await announceQueued(services, key.projectId)
    return { status: 202, body: await sensitivityView(services, sweep) ?? { ...baseView(sweep, params, forks), report: null } }
  },
})

function baseView(sweep: SweepRecord, params: SensitivityParams, forks: Awaited<ReturnType<ServerServices['store']['forks']['sweepVariants']>>) {
  return {
    id: sweep.id,
    status: sweep.status,
    trace_id: sweep.traceId,
    fork_point_span_id: sweep.spanId,
    k: params.k,
    seed: params.seed,
    perturbations: params.perturbations,
    progress: progressOf(forks),
    variants: forks.map((fork, index) => ({ label: fork.label ?? '', kind: params.kinds[index] ?? '', modified_input: (fork.modifiedInput ?? null) as JsonValue, fork_id: fork.id, status: fork.status })),
  }
}

/** A sensitivity run with its report once every variant ended (computed once, then kept). */
async function sensitivityView(services: ServerServices, sweep: SweepRecord): Promise<z.infer<typeof SensitivitySchema> | undefined> {
  const params = sweep.params as unknown as SensitivityParams | null
  if (!params) return undefined
  const forks = await services.store.forks.sweepVariants(sweep.id)
  const view = baseView(sweep, params, forks)
  if (sweep.status === 'running') return { ...view, report: null }
  if (sweep.report) return { ...view, report: sweep.report as SensitivityReport }
  const original = orNotFound(await services.store.getTrace(sweep.projectId, sweep.traceId), 'trace', sweep.traceId)
  const runs: VariantRun[] = []
  for (const [index, fork] of forks.entries()) {
    if (!fork.forkTraceId || (fork.status !== 'completed' && fork.status !== 'failed')) continue
    const traced = await services.store.getTrace(sweep.projectId, fork.forkTraceId)
    if (traced) runs.push({ label: fork.label ?? '', kind: params.kinds[index] ?? '', modifiedInput: (fork.modifiedInput ?? null) as JsonValue, status: traced.trace.status, run: runRecordOf(traced) })
  }
  const { compareRuns } = await import('@retrace/divergence')
  const report = sensitivityReport({ status: original.trace.status, run: runRecordOf(original) }, runs, (golden, candidate) => compareRuns(golden, candidate), {
    k: params.k,
    seed: params.seed,
    perturbations: params.perturbations,
    forkPointStep: params.forkPointStep,
  })
  await services.store.forks.saveSweepReport(sweep.id, report)
  return { ...view, report }
}

export const getSensitivity = defineRoute({
  method: 'get',
  path: '/api/v1/forks/sensitivity/:sensitivityId',
  tag: 'sensitivity',
  summary: 'A sensitivity run: its progress, and its report once every variant ended (report null until then).',
  scope: 'read',
  params: z.object({ sensitivityId: idField() }),
  responses: { 200: { description: 'The sensitivity run.', schema: SensitivitySchema } },
  async handler({ key, params, services }) {
    const sweep = await services.store.forks.getSweep(key.projectId, params.sensitivityId)
    const view = sweep?.kind === 'sensitivity' ? await sensitivityView(services, sweep) : undefined
    return { body: orNotFound(view, 'sensitivity run', params.sensitivityId) }
  },
})
