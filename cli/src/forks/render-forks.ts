import type { ForkDiff, ForkEstimate, SensitivityReport } from '@retrace/server'
import type { Terminal } from '../output/terminal.ts'
import { formatCount, formatDelta, formatMs, formatUsd } from '../review/format.ts'
import type { ForkAnswer } from './fork-client.ts'

// Human output of the `retrace forks` commands (the answers' types are the server's). Plain text, one fact per line, aligned
// columns; colour only where the terminal allows it (Terminal.style).

/** A table with left-aligned columns. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd()).join('\n')
}

const STATUS_STYLE: Record<string, Parameters<Terminal['style']>[0]> = { completed: 'green', failed: 'red', no_worker: 'yellow', cancelled: 'yellow' }

/**
 * One fork, as `forks create`, `replay` and `get` print it.
 *
 * @example
 * import { bufferTerminal } from '../output/terminal.ts'
 * const fork = { id: 'fk_1', status: 'completed', trace_id: 'tr_1', fork_point_span_id: 'sp_3', fork_point_step: 3, fork_trace_id: 'tr_2', message: null }
 * renderFork(fork, bufferTerminal()) // → 'fork fk_1 · completed · from step 3 of trace tr_1 (span sp_3)\n  fork trace: tr_2\n'
 */
export function renderFork(fork: ForkAnswer, terminal: Terminal): string {
  const status = terminal.style(STATUS_STYLE[fork.status] ?? 'cyan', fork.status)
  const lines = [`fork ${fork.id} · ${status} · from step ${fork.fork_point_step} of trace ${fork.trace_id} (span ${fork.fork_point_span_id})`]
  if (fork.fork_trace_id) lines.push(`  fork trace: ${fork.fork_trace_id}`)
  if (fork.message) lines.push(`  ${fork.message}`)
  return `${lines.join('\n')}\n`
}

/**
 * Original vs fork, step by step, then the totals and the divergence.
 *
 * @example
 * import { bufferTerminal } from '../output/terminal.ts'
 * const side = (tokens: number, cost: number) => ({ input_tokens: tokens, output_tokens: 10, cost_usd: cost, latency_ms: 400, live_cost_usd: cost, replayed: false })
 * const diff = {
 *   fork_id: 'fk_1', trace_id: 'tr_1', fork_trace_id: 'tr_2', fork_point_step: 1,
 *   steps: [{ step: 1, fork_step: 1, status: 'changed', original: side(90, 0.0001), fork: side(120, 0.0002), delta: { input_tokens: 30, output_tokens: 0, cost_usd: 0.0001, latency_ms: 0 } }],
 *   totals: { original: side(90, 0.0001), fork: side(120, 0.0002), delta: { input_tokens: 30, output_tokens: 0, cost_usd: 0.0001, latency_ms: 0 } },
 *   divergence: { score: 0.42, verdict: 'diverged', first_divergent_step: 1, reasons: ['the answer changed'] },
 * }
 * const text = renderDiff(diff as never, bufferTerminal())
 * text.split('\n')[0] // → 'fork fk_1: trace tr_1 vs fork trace tr_2, from step 1'
 * text.includes('divergence 0.420 · diverged · first divergent step 1') // → true
 */
export function renderDiff(diff: ForkDiff, terminal: Terminal): string {
  const tokens = (side: ForkDiff['steps'][number]['original']) => (side ? formatCount(side.input_tokens + side.output_tokens) : '—')
  const rows = [['step', 'status', 'tokens (original → fork)', 'Δ tokens', 'Δ cost', 'Δ latency', '']]
  for (const step of diff.steps) {
    rows.push([
      step.step === step.fork_step ? String(step.step) : `${step.step ?? '—'}→${step.fork_step ?? '—'}`,
      step.status,
      `${tokens(step.original)} → ${tokens(step.fork)}`,
      formatDelta(step.delta.input_tokens + step.delta.output_tokens, formatCount),
      formatDelta(step.delta.cost_usd, formatUsd),
      formatDelta(step.delta.latency_ms, formatMs),
      step.fork?.replayed ? 'replayed' : '',
    ])
  }
  const { original, fork, delta } = diff.totals
  const verdict = terminal.style(diff.divergence.verdict === 'diverged' ? 'yellow' : 'green', diff.divergence.verdict)
  return [
    `fork ${diff.fork_id}: trace ${diff.trace_id} vs fork trace ${diff.fork_trace_id}, from step ${diff.fork_point_step}`,
    '',
    table(rows),
    '',
    `total   tokens ${formatCount(original.input_tokens + original.output_tokens)} → ${formatCount(fork.input_tokens + fork.output_tokens)} (${formatDelta(delta.input_tokens + delta.output_tokens, formatCount)}) · cost ${formatUsd(original.cost_usd)} → ${formatUsd(fork.cost_usd)} (${formatDelta(delta.cost_usd, formatUsd)}; spent live ${formatUsd(fork.live_cost_usd)}) · LLM latency ${formatMs(original.latency_ms)} → ${formatMs(fork.latency_ms)} (${formatDelta(delta.latency_ms, formatMs)})`,
    `divergence ${diff.divergence.score.toFixed(3)} · ${verdict}${diff.divergence.first_divergent_step ? ` · first divergent step ${diff.divergence.first_divergent_step}` : ''}`,
    ...diff.divergence.reasons.slice(0, 5).map((reason) => `  - ${reason}`),
    '',
  ].join('\n')
}

/**
 * The estimate: per step, then naive vs optimized and where the savings come from.
 *
 * @example
 * const estimate = {
 *   fork_id: 'fk_1', fork_point_step: 2,
 *   steps: [{ step: 2, model: 'gpt-4o-mini', input_tokens: 900, output_tokens: 100, treatment: 'live_call', naive_usd: 0.0002, optimized_usd: 0.0001 }],
 *   naive_usd: 0.0002, optimized_usd: 0.0001, savings_usd: 0.0001, savings_pct: 50, full_rerun_usd: 0.0004,
 *   savings: { semantic_cache_usd: 0, context_compression_usd: 0.0001, differential_replay_usd: 0.0002 },
 *   assumptions: ['prices of March 2026'],
 * }
 * const text = renderEstimate(estimate as never)
 * text.split('\n')[0] // → 'estimate for fork fk_1 (from step 2)'
 * text.includes('naive $0.0002 → optimized $0.0001: saves $0.0001 (50.0 %)') // → true
 */
export function renderEstimate(estimate: ForkEstimate): string {
  const rows = [['step', 'model', 'tokens in/out', 'treatment', 'naive', 'optimized']]
  for (const step of estimate.steps) rows.push([String(step.step), step.model ?? '—', `${formatCount(step.input_tokens)}/${formatCount(step.output_tokens)}`, step.treatment.replace('_', ' '), formatUsd(step.naive_usd), formatUsd(step.optimized_usd)])
  return [
    `estimate for fork ${estimate.fork_id} (from step ${estimate.fork_point_step})`,
    '',
    table(rows),
    '',
    `naive ${formatUsd(estimate.naive_usd)} → optimized ${formatUsd(estimate.optimized_usd)}: saves ${formatUsd(estimate.savings_usd)} (${estimate.savings_pct.toFixed(1)} %)`,
    `  semantic cache ${formatUsd(estimate.savings.semantic_cache_usd)} · context compression ${formatUsd(estimate.savings.context_compression_usd)}`,
    `  a full re-run would cost ${formatUsd(estimate.full_rerun_usd)}; the prefix from the recording saves ${formatUsd(estimate.savings.differential_replay_usd)}`,
    '',
    'Assumptions:',
    ...estimate.assumptions.map((assumption) => `  - ${assumption}`),
    '',
  ].join('\n')
}

interface SweepAnswer {
  id: string
  kind: string
  status: string
  progress: { total: number; done: number; running: number; completed: number; failed: number; no_worker: number; cancelled: number }
  variants: Array<{ index: number; label: string | null; status: string; message: string | null; result: { divergence_score: number; verdict: string; first_divergent_step: number | null; output: unknown; cost_usd: number } | null }>
}

/**
 * The progress of a sweep in one line (with a bar).
 *
 * @example
 * import { bar } from './wait-progress.ts'
 * const progress = { total: 12, done: 5, running: 3, completed: 5, failed: 0, no_worker: 0, cancelled: 0 }
 * sweepProgress({ id: 'sw_1', kind: 'sweep', status: 'running', progress, variants: [] }, (done, total) => bar(done, total, 12))
 * // → '[█████░░░░░░░] 5/12 done · 3 running · 5 completed · 0 failed'
 */
export function sweepProgress(sweep: SweepAnswer, bar: (done: number, total: number) => string): string {
  const { progress } = sweep
  return `${bar(progress.done, progress.total)} ${progress.done}/${progress.total} done · ${progress.running} running · ${progress.completed} completed · ${progress.failed} failed${progress.no_worker ? ` · ${progress.no_worker} no worker` : ''}${progress.cancelled ? ` · ${progress.cancelled} cancelled` : ''}`
}

/**
 * A sweep's variants and their results.
 *
 * @example
 * import { bufferTerminal } from '../output/terminal.ts'
 * const sweep = { id: 'sw_1', kind: 'sweep', status: 'completed', progress: { total: 1, done: 1, running: 0, completed: 1, failed: 0, no_worker: 0, cancelled: 0 }, variants: [{ index: 0, label: 'concise', status: 'completed', message: null, result: { divergence_score: 0.42, verdict: 'diverged', first_divergent_step: 3, output: 'Oslo: rain', cost_usd: 0.0004 } }] }
 * const text = renderSweep(sweep, bufferTerminal())
 * text.split('\n')[0] // → 'sweep sw_1 · completed'
 * text.includes('concise') && text.includes('0.420') // → true
 */
export function renderSweep(sweep: SweepAnswer, terminal: Terminal): string {
  const rows = [['#', 'label', 'status', 'divergence', 'verdict', 'first divergent step', 'cost']]
  for (const variant of sweep.variants) {
    rows.push([
      String(variant.index + 1),
      variant.label ?? '',
      variant.status,
      variant.result ? variant.result.divergence_score.toFixed(3) : '—',
      variant.result?.verdict ?? '—',
      variant.result?.first_divergent_step ? String(variant.result.first_divergent_step) : '—',
      variant.result ? formatUsd(variant.result.cost_usd) : '—',
    ])
  }
  const notes = sweep.variants.filter((variant) => variant.message && variant.status !== 'completed').slice(0, 3).map((variant) => `  ${variant.label}: ${variant.message}`)
  return [`sweep ${sweep.id} · ${terminal.style(STATUS_STYLE[sweep.status] ?? 'cyan', sweep.status)}`, '', table(rows), ...(notes.length ? ['', ...notes] : []), ''].join('\n')
}

/**
 * A sensitivity report: the scores, where variants first diverge, and each variant.
 *
 * @example
 * const report = { k: 2, seed: 1, scored: 2, sensitivity_score: 0.35, flip_rate: 0.5, per_step_flip_rate: [{ step: 2, variants: 1, rate: 0.5 }], variants: [{ label: 'typo', divergence_score: 0.6, flipped: true, flip_reasons: ['answer changed'], first_divergent_step: 2 }, { label: 'synonym', divergence_score: 0.1, flipped: false, flip_reasons: [], first_divergent_step: null }] }
 * const text = renderSensitivity('sens_1', report as never)
 * text.split('\n').slice(0, 2)
 * // → ['sensitivity sens_1: 2 of 2 variants scored (seed 1)', 'sensitivity score (PSS) 0.350 · flip rate 50 % · the outcome hinges most on step 2']
 */
export function renderSensitivity(id: string, report: SensitivityReport): string {
  const steps = [['step', 'first diverge here', 'share']]
  for (const row of report.per_step_flip_rate) steps.push([String(row.step), String(row.variants), `${(row.rate * 100).toFixed(0)} %`])
  const variants = [['variant', 'divergence', 'flipped', 'first divergent step']]
  for (const row of report.variants) variants.push([row.label, row.divergence_score.toFixed(3), row.flipped ? `yes (${row.flip_reasons.join(', ')})` : 'no', row.first_divergent_step ? String(row.first_divergent_step) : '—'])
  const hinge = [...report.per_step_flip_rate].sort((a, b) => b.rate - a.rate)[0]
  return [
    `sensitivity ${id}: ${report.scored} of ${report.k} variants scored (seed ${report.seed})`,
    `sensitivity score (PSS) ${report.sensitivity_score.toFixed(3)} · flip rate ${(report.flip_rate * 100).toFixed(0)} %${hinge && hinge.rate > 0 ? ` · the outcome hinges most on step ${hinge.step}` : ''}`,
    '',
    table(steps),
    '',
    table(variants),
    '',
  ].join('\n')
}
