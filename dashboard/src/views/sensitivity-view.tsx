import { Notice } from '../components/notice.tsx'
import { StatusBadge } from '../components/badges.tsx'
import { useTitle } from '../components/use-title.ts'
import { readSensitivity, TERMINAL_FORK_STATUSES, type SensitivityInfo } from '../model/fork-shapes.ts'
import { SweepProgress, usePolled, VariantTable } from './sweep-view.tsx'

/**
 * A sensitivity analysis: progress while its perturbations run, then the sensitivity score,
 * the flip rate, and the per-step flip rate — which step the outcome hinges on.
 */
export function SensitivityView({ analysisId }: { analysisId: string }) {
  useTitle('Sensitivity')
  const path = `/api/v1/forks/sensitivity/${encodeURIComponent(analysisId)}`
  const { value: analysis, failure } = usePolled(path, readSensitivity, (value) => value.ready && TERMINAL_FORK_STATUSES.has(value.status))
  if (failure && !analysis) return <Notice tone="error">{failure}</Notice>
  if (!analysis) return <p class="muted" aria-busy="true">Loading the analysis…</p>
  const done = analysis.variants.filter((variant) => variant.status === 'completed').length
  const failed = analysis.variants.filter((variant) => variant.status === 'failed' || variant.status === 'no_worker').length
  return (
    <>
      <div class="page-head">
        <h1>Sensitivity <code>{analysis.id}</code></h1>
        <StatusBadge status={analysis.status} />
      </div>
      <SweepProgress sweep={{ total: analysis.k ?? analysis.variants.length, completed: done, failed, running: analysis.variants.filter((variant) => variant.status === 'running').length }} />
      {failure && <Notice tone="error">{failure}</Notice>}
      {analysis.ready ? (
        <>
          <dl class="facts totals">
            <div><dt>Sensitivity score</dt><dd data-testid="sensitivity-score">{analysis.sensitivityScore?.toFixed(3) ?? '—'}</dd></div>
            <div><dt>Flip rate</dt><dd data-testid="flip-rate">{analysis.flipRate === undefined ? '—' : `${Math.round(analysis.flipRate * 100)}%`}</dd></div>
            {analysis.k !== undefined && <div><dt>Perturbations</dt><dd>{analysis.k}</dd></div>}
            {analysis.seed !== undefined && <div><dt>Seed</dt><dd>{analysis.seed}</dd></div>}
          </dl>
          <FlipRateChart analysis={analysis} />
        </>
      ) : (
        <p class="muted">The report appears when the variants have run.</p>
      )}
      <h2 class="section-title">Perturbations</h2>
      <VariantTable variants={analysis.variants} showFlip />
    </>
  )
}

const BAR_WIDTH = 44
const CHART_HEIGHT = 160

/** Per-step flip rate: for each step after the fork, the share of variants that first diverge there. */
export function FlipRateChart({ analysis }: { analysis: SensitivityInfo }) {
  const steps = analysis.perStep
  if (!steps.length) return <p class="muted">No step diverged in any variant.</p>
  const width = steps.length * (BAR_WIDTH + 12) + 48
  const hinge = steps.reduce((best, step) => (step.flipRate > best.flipRate ? step : best), steps[0]!)
  return (
    <figure class="chart" data-testid="flip-rate-chart">
      <svg viewBox={`0 0 ${width} ${CHART_HEIGHT + 40}`} width={width} height={CHART_HEIGHT + 40} role="img" aria-labelledby="flip-chart-title">
        <title id="flip-chart-title">Per-step flip rate; highest at step {hinge.step} ({Math.round(hinge.flipRate * 100)}%)</title>
        <line x1="40" y1={CHART_HEIGHT} x2={width} y2={CHART_HEIGHT} class="axis" />
        {[0, 0.5, 1].map((tick) => (
          <text key={tick} x="34" y={CHART_HEIGHT - tick * (CHART_HEIGHT - 10) + 4} text-anchor="end" class="tick">{Math.round(tick * 100)}%</text>
        ))}
        {steps.map((step, index) => {
          const height = step.flipRate * (CHART_HEIGHT - 10)
          const x = 48 + index * (BAR_WIDTH + 12)
          return (
            <g key={step.step}>
              <rect x={x} y={CHART_HEIGHT - height} width={BAR_WIDTH} height={Math.max(height, 1)} class={step === hinge ? 'bar-hinge' : 'bar-plain'} />
              <text x={x + BAR_WIDTH / 2} y={CHART_HEIGHT + 16} text-anchor="middle" class="tick">step {step.step}</text>
              <text x={x + BAR_WIDTH / 2} y={CHART_HEIGHT - height - 4} text-anchor="middle" class="tick">{Math.round(step.flipRate * 100)}%</text>
            </g>
          )
        })}
      </svg>
      <figcaption>
        <table class="table compact">
          <caption class="small muted">Share of variants whose run first diverges at each step</caption>
          <thead><tr><th scope="col">Step</th><th scope="col" class="num">Flip rate</th></tr></thead>
          <tbody>
            {steps.map((step) => (
              <tr key={step.step}><td>{step.step}{step.name ? ` · ${step.name}` : ''}</td><td class="num">{Math.round(step.flipRate * 100)}%</td></tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  )
}
