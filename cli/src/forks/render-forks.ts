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
 * renderFork(fork, terminal) // 'fork fk_… · completed · step 3 of trace tr_… → fork trace …'
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
 * terminal.out(renderDiff(diff, terminal))
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
 * terminal.out(renderEstimate(estimate))
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
 * sweepProgress(sweep) // '[█████░░░] 5/12 done · 3 running · 0 failed'
 */
export function sweepProgress(sweep: SweepAnswer, bar: (done: number, total: number) => string): string {
  const { progress } = sweep
  return `${bar(progress.done, progress.total)} ${progress.done}/${progress.total} done · ${progress.running} running · ${progress.completed} completed · ${progress.failed} failed${progress.no_worker ? ` · ${progress.no_worker} no worker` : ''}${progress.cancelled ? ` · ${progress.cancelled} cancelled` : ''}`
}

/**
 * A sweep's variants and their results.
 *
 * @example
 * terminal.out(renderSweep(sweep, terminal))
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
 * terminal.out(renderSensitivity(id, report))
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
