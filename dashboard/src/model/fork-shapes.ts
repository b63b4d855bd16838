// The Fork & Replay answers, read defensively: the dashboard shows what the server sends
// (camelCase or the seed's snake_case), and leaves out what it does not.

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The first of `names` that `object` has (camelCase and snake_case both tried). */
function field(object: unknown, ...names: string[]): unknown {
  if (!isObject(object)) return undefined
  for (const name of names) {
    for (const variant of [name, name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]) {
      if (object[variant] !== undefined && object[variant] !== null) return object[variant]
    }
  }
  return undefined
}
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined)
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined)
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
/** The answer itself, or the object under `key` (`{ fork: {…} }`). */
const unwrap = (body: unknown, key: string): Json => (isObject(body) && isObject(body[key]) ? (body[key] as Json) : isObject(body) ? body : {})

export const TERMINAL_FORK_STATUSES = new Set(['completed', 'failed', 'no_worker', 'cancelled', 'canceled'])

export interface ForkInfo {
  id: string
  status: string
  traceId?: string
  forkTraceId?: string
  forkPointSpanId?: string
  message?: string
}

/**
 * A fork from `POST /forks` or `GET /forks/:id`.
 *
 * @example
 * readFork({ fork: { id: 'fk_1', status: 'running' } }).status // 'running'
 */
export function readFork(body: unknown): ForkInfo {
  const fork = unwrap(body, 'fork')
  const error = field(fork, 'error')
  const out: ForkInfo = { id: str(field(fork, 'id', 'forkId')) ?? '', status: str(field(fork, 'status')) ?? 'created' }
  const traceId = str(field(fork, 'traceId', 'originalTraceId'))
  const forkTraceId = str(field(fork, 'forkTraceId', 'forkedTraceId', 'resultTraceId'))
  const forkPointSpanId = str(field(fork, 'forkPointSpanId'))
  const message = str(field(fork, 'message', 'statusMessage')) ?? (isObject(error) ? str(error.message) : str(error))
  if (traceId) out.traceId = traceId
  if (forkTraceId) out.forkTraceId = forkTraceId
  if (forkPointSpanId) out.forkPointSpanId = forkPointSpanId
  if (message) out.message = message
  return out
}

export interface EstimateStep {
  label: string
  naiveUsd?: number
  optimizedUsd?: number
  how?: string
}

export interface EstimateInfo {
  naiveUsd?: number
  optimizedUsd?: number
  savingsUsd?: number
  steps: EstimateStep[]
  assumptions: string[]
}

/**
 * A cost estimate: naive vs optimized, per step, with the assumptions.
 *
 * @example
 * readEstimate({ naive: { usd: 0.02 }, optimized: { usd: 0.005 } }).savingsUsd // 0.015
 */
export function readEstimate(body: unknown): EstimateInfo {
  const estimate = unwrap(body, 'estimate')
  const usdOf = (value: unknown) => num(value) ?? num(field(value, 'usd', 'costUsd', 'total', 'totalUsd'))
  const naiveUsd = usdOf(field(estimate, 'naiveUsd', 'naiveCostUsd', 'naive'))
  const optimizedUsd = usdOf(field(estimate, 'optimizedUsd', 'optimizedCostUsd', 'optimized'))
  const savings = field(estimate, 'savingsUsd', 'savings')
  const savingsUsd = usdOf(savings) ?? (naiveUsd !== undefined && optimizedUsd !== undefined ? naiveUsd - optimizedUsd : undefined)
  const steps = list(field(estimate, 'steps', 'breakdown', 'perStep')).map((step, index): EstimateStep => {
    const out: EstimateStep = { label: str(field(step, 'name', 'label', 'spanName')) ?? `step ${num(field(step, 'step', 'index')) ?? index + 1}` }
    const naive = usdOf(field(step, 'naiveUsd', 'naive'))
    const optimized = usdOf(field(step, 'optimizedUsd', 'optimized'))
    const how = str(field(step, 'source', 'strategy', 'how', 'servedFrom', 'reason'))
    if (naive !== undefined) out.naiveUsd = naive
    if (optimized !== undefined) out.optimizedUsd = optimized
    if (how) out.how = how
    return out
  })
  const assumptions = list(field(estimate, 'assumptions')).flatMap((item) => (typeof item === 'string' ? [item] : []))
  return { ...(naiveUsd !== undefined ? { naiveUsd } : {}), ...(optimizedUsd !== undefined ? { optimizedUsd } : {}), ...(savingsUsd !== undefined ? { savingsUsd } : {}), steps, assumptions }
}

/** One side of an aligned step. */
export interface DiffSide {
  name?: string
  text: string
  inputTokens?: number
  outputTokens?: number
  usd?: number
  latencyMs?: number
}

export interface DiffStep {
  /** 1-based. */
  index: number
  original?: DiffSide
  fork?: DiffSide
  deltaUsd?: number
  deltaTokens?: number
  deltaLatencyMs?: number
  score?: number
  verdict?: string
  divergent: boolean
}

export interface DiffTotals {
  inputTokens?: number
  outputTokens?: number
  usd?: number
  latencyMs?: number
}

export interface DiffInfo {
  score?: number
  verdict?: string
  firstDivergentStep?: number
  reasons: string[]
  steps: DiffStep[]
  original: DiffTotals
  fork: DiffTotals
  delta: DiffTotals
  originalOutput: string
  forkOutput: string
  originalTraceId?: string
  forkTraceId?: string
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(textOf).filter(Boolean).join('\n')
  if (isObject(value)) {
    const text = field(value, 'text', 'content', 'output', 'answer')
    if (text !== undefined && text !== value) return textOf(text)
    if (value.type === 'tool_call') return `${String(value.name)}(${JSON.stringify(value.arguments)})`
  }
  return JSON.stringify(value, null, 2)
}

function totalsOf(value: unknown): DiffTotals {
  const out: DiffTotals = {}
  const set = (key: keyof DiffTotals, found: number | undefined) => found !== undefined && (out[key] = found)
  set('inputTokens', num(field(value, 'inputTokens')))
  set('outputTokens', num(field(value, 'outputTokens')))
  set('usd', num(field(value, 'usd', 'costUsd', 'cost')))
  set('latencyMs', num(field(value, 'latencyMs', 'durationMs', 'latency')))
  return out
}

function sideOf(value: unknown): DiffSide | undefined {
  if (!isObject(value)) return undefined
  const totals = totalsOf(field(value, 'totals', 'usage') ?? value)
  const name = str(field(value, 'name', 'spanName', 'api'))
  return { ...totals, ...(name ? { name } : {}), text: textOf(field(value, 'text', 'outputText', 'output', 'content')) }
}

/**
 * A fork's diff: aligned steps with deltas, the divergence score and verdict, the first
 * divergent step (1-based), totals and the two final outputs.
 *
 * @example
 * readDiff(await api(`/api/v1/forks/${id}/diff`)).firstDivergentStep // 3
 */
export function readDiff(body: unknown): DiffInfo {
  const diff = unwrap(body, 'diff')
  const divergence = field(diff, 'divergence')
  const score = num(field(diff, 'divergenceScore', 'score')) ?? num(field(divergence, 'score', 'divergenceScore'))
  const verdict = str(field(diff, 'verdict')) ?? str(field(divergence, 'verdict'))
  const first = num(field(diff, 'firstDivergentStep')) ?? num(field(divergence, 'firstDivergentStep'))
  const reasons = list(field(diff, 'reasons') ?? field(divergence, 'reasons')).map((reason) => (typeof reason === 'string' ? reason : textOf(field(reason, 'message', 'text') ?? reason)))
  const steps = list(field(diff, 'steps', 'alignedSteps', 'pairs')).map((step, index): DiffStep => {
    const original = sideOf(field(step, 'original', 'a', 'left', 'before'))
    const fork = sideOf(field(step, 'fork', 'forked', 'b', 'right', 'after'))
    const deltas = field(step, 'deltas', 'delta')
    const stepIndex = num(field(step, 'step', 'index', 'position')) ?? index + 1
    const out: DiffStep = { index: stepIndex, divergent: Boolean(field(step, 'divergent', 'diverged')) || (first !== undefined && stepIndex === first) }
    if (original) out.original = original
    if (fork) out.fork = fork
    const deltaUsd = num(field(deltas, 'usd', 'costUsd', 'cost')) ?? (fork?.usd !== undefined && original?.usd !== undefined ? fork.usd - original.usd : undefined)
    const deltaTokens = num(field(deltas, 'tokens', 'totalTokens')) ?? (fork && original ? (fork.inputTokens ?? 0) + (fork.outputTokens ?? 0) - (original.inputTokens ?? 0) - (original.outputTokens ?? 0) : undefined)
    const deltaLatencyMs = num(field(deltas, 'latencyMs', 'durationMs', 'latency')) ?? (fork?.latencyMs !== undefined && original?.latencyMs !== undefined ? fork.latencyMs - original.latencyMs : undefined)
    const stepScore = num(field(step, 'score', 'divergenceScore', 'similarity'))
    const stepVerdict = str(field(step, 'verdict', 'outcome', 'status'))
    if (deltaUsd !== undefined) out.deltaUsd = deltaUsd
    if (deltaTokens !== undefined) out.deltaTokens = deltaTokens
    if (deltaLatencyMs !== undefined) out.deltaLatencyMs = deltaLatencyMs
    if (stepScore !== undefined) out.score = stepScore
    if (stepVerdict) out.verdict = stepVerdict
    return out
  })
  const totals = field(diff, 'totals')
  const original = totalsOf(field(totals, 'original') ?? field(diff, 'originalTotals') ?? field(field(diff, 'original'), 'totals'))
  const fork = totalsOf(field(totals, 'fork', 'forked') ?? field(diff, 'forkTotals') ?? field(field(diff, 'fork'), 'totals'))
  const delta = totalsOf(field(totals, 'delta', 'deltas') ?? field(diff, 'deltas', 'delta'))
  for (const key of ['inputTokens', 'outputTokens', 'usd', 'latencyMs'] as const) {
    if (delta[key] === undefined && original[key] !== undefined && fork[key] !== undefined) delta[key] = fork[key]! - original[key]!
  }
  const out: DiffInfo = {
    reasons,
    steps,
    original,
    fork,
    delta,
    originalOutput: textOf(field(diff, 'originalOutput') ?? field(field(diff, 'original'), 'output')),
    forkOutput: textOf(field(diff, 'forkOutput') ?? field(field(diff, 'fork'), 'output')),
  }
  if (score !== undefined) out.score = score
  if (verdict) out.verdict = verdict
  if (first !== undefined) out.firstDivergentStep = first
  const originalTraceId = str(field(diff, 'originalTraceId', 'traceId')) ?? str(field(field(diff, 'original'), 'traceId', 'id'))
  const forkTraceId = str(field(diff, 'forkTraceId')) ?? str(field(field(diff, 'fork'), 'traceId', 'id'))
  if (originalTraceId) out.originalTraceId = originalTraceId
  if (forkTraceId) out.forkTraceId = forkTraceId
  return out
}

export interface VariantInfo {
  index: number
  label: string
  status: string
  input?: unknown
  forkId?: string
  forkTraceId?: string
  score?: number
  verdict?: string
  flipped?: boolean
  usd?: number
  latencyMs?: number
  output?: string
  message?: string
}

export interface SweepInfo {
  id: string
  status: string
  total: number
  completed: number
  failed: number
  running: number
  concurrency?: number
  variants: VariantInfo[]
}

function variantOf(value: unknown, index: number): VariantInfo {
  const result = field(value, 'result', 'diff', 'outcome')
  const out: VariantInfo = { index, label: str(field(value, 'label', 'name', 'perturbation', 'kind')) ?? `variant ${index + 1}`, status: str(field(value, 'status', 'state')) ?? 'queued' }
  const input = field(value, 'modifiedInput', 'input')
  const forkId = str(field(value, 'forkId'))
  const forkTraceId = str(field(value, 'forkTraceId', 'traceId'))
  const score = num(field(value, 'divergenceScore', 'score')) ?? num(field(result, 'divergenceScore', 'score'))
  const verdict = str(field(value, 'verdict')) ?? str(field(result, 'verdict'))
  const flipped = field(value, 'flipped') ?? field(result, 'flipped')
  const usd = num(field(value, 'usd', 'costUsd')) ?? num(field(field(value, 'totals'), 'usd'))
  const latencyMs = num(field(value, 'latencyMs', 'durationMs')) ?? num(field(field(value, 'totals'), 'durationMs', 'latencyMs'))
  const output = field(value, 'output', 'finalOutput') ?? field(result, 'output')
  const message = str(field(value, 'message', 'error'))
  if (input !== undefined) out.input = input
  if (forkId) out.forkId = forkId
  if (forkTraceId) out.forkTraceId = forkTraceId
  if (score !== undefined) out.score = score
  if (verdict) out.verdict = verdict
  if (typeof flipped === 'boolean') out.flipped = flipped
  if (usd !== undefined) out.usd = usd
  if (latencyMs !== undefined) out.latencyMs = latencyMs
  if (output !== undefined) out.output = textOf(output)
  if (message) out.message = message
  return out
}

/**
 * A sweep's progress and its variants' results.
 *
 * @example
 * const { completed, total } = readSweep(await api(`/api/v1/forks/sweep/${id}`))
 */
export function readSweep(body: unknown): SweepInfo {
  const sweep = unwrap(body, 'sweep')
  const variants = list(field(sweep, 'variants', 'results')).map(variantOf)
  const progress = field(sweep, 'progress')
  const count = (status: (s: string) => boolean) => variants.filter((variant) => status(variant.status)).length
  const concurrency = num(field(sweep, 'concurrency'))
  return {
    id: str(field(sweep, 'id', 'sweepId')) ?? '',
    status: str(field(sweep, 'status')) ?? 'running',
    total: num(field(progress, 'total')) ?? num(field(sweep, 'total')) ?? variants.length,
    completed: num(field(progress, 'completed', 'done')) ?? num(field(sweep, 'completed')) ?? count((s) => s === 'completed'),
    failed: num(field(progress, 'failed')) ?? num(field(sweep, 'failed')) ?? count((s) => s === 'failed' || s === 'no_worker'),
    running: num(field(progress, 'running', 'inFlight')) ?? num(field(sweep, 'running', 'inFlight')) ?? count((s) => s === 'running'),
    ...(concurrency !== undefined ? { concurrency } : {}),
    variants,
  }
}

export interface SensitivityInfo {
  id: string
  status: string
  ready: boolean
  k?: number
  seed?: string
  sensitivityScore?: number
  flipRate?: number
  perStep: Array<{ step: number; flipRate: number; name?: string }>
  variants: VariantInfo[]
  sweepId?: string
}

/**
 * A sensitivity analysis: the report once ready (score, flip rate, per-step flip rate) and
 * its variants.
 *
 * @example
 * readSensitivity(body).perStep // [{ step: 3, flipRate: 0.4 }, …]
 */
export function readSensitivity(body: unknown): SensitivityInfo {
  const analysis = unwrap(body, 'sensitivity')
  const report = field(analysis, 'report') ?? analysis
  const perStepRaw = field(report, 'perStepFlipRate', 'perStep', 'stepFlipRates')
  const perStep = Array.isArray(perStepRaw)
    ? perStepRaw.map((item, index) => {
        const entry: { step: number; flipRate: number; name?: string } = { step: num(field(item, 'step', 'index')) ?? index + 1, flipRate: num(field(item, 'flipRate', 'rate', 'share')) ?? num(item) ?? 0 }
        const name = str(field(item, 'name', 'spanName'))
        if (name) entry.name = name
        return entry
      })
    : isObject(perStepRaw)
      ? Object.entries(perStepRaw).map(([step, rate]) => ({ step: Number(step), flipRate: num(rate) ?? 0 }))
      : []
  const sensitivityScore = num(field(report, 'sensitivityScore', 'sensitivity', 'score', 'pss'))
  const flipRate = num(field(report, 'flipRate'))
  const status = str(field(analysis, 'status')) ?? (sensitivityScore !== undefined ? 'completed' : 'running')
  const out: SensitivityInfo = {
    id: str(field(analysis, 'id', 'analysisId')) ?? '',
    status,
    ready: sensitivityScore !== undefined || flipRate !== undefined,
    perStep: perStep.sort((a, b) => a.step - b.step),
    variants: list(field(analysis, 'variants') ?? field(report, 'variants')).map(variantOf),
  }
  const k = num(field(analysis, 'k'))
  const seed = str(field(analysis, 'seed'))
  const sweepId = str(field(analysis, 'sweepId'))
  if (k !== undefined) out.k = k
  if (seed !== undefined) out.seed = seed
  if (sensitivityScore !== undefined) out.sensitivityScore = sensitivityScore
  if (flipRate !== undefined) out.flipRate = flipRate
  if (sweepId) out.sweepId = sweepId
  return out
}
