import type { Sensitivity } from '../api/api-types.ts'
import { StatusBadge } from '../components/badges.tsx'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import { prettyJson } from '../model/format.ts'
import { SweepProgress, usePolled } from './sweep-view.tsx'

/**
 * A sensitivity analysis: progress while its perturbations run, then the sensitivity score
 * (ProSA PSS), the flip rate, and the per-step flip rate: which step the outcome hinges on.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // The app shows it at /sensitivity/:analysisId; it polls the analysis once mounted and says so until the first answer:
 * renderToString(<SensitivityView analysisId="sn_1" />) // → '<p class="muted" aria-busy="true">Loading the analysis…</p>'
 */
export function SensitivityView({ analysisId }: { analysisId: string }) {
  useTitle('Sensitivity')
  const path = `/api/v1/forks/sensitivity/${encodeURIComponent(analysisId)}`
  const { value: analysis, failure } = usePolled<Sensitivity>(path, (value) => value.report !== null || value.status === 'cancelled')
  if (failure && !analysis) return <Notice tone="error">{failure}</Notice>
  if (!analysis) return <p class="muted" aria-busy="true">Loading the analysis…</p>
  const report = analysis.report
  const byLabel = new Map((report?.variants ?? []).map((variant) => [variant.label, variant]))
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Sensitivity <code>{analysis.id}</code></h1>
          <p class="muted small">
            of <a href={`/traces/${encodeURIComponent(analysis.trace_id)}`}>{analysis.trace_id}</a> · {analysis.k} perturbations, seed {String(analysis.seed)} · variants run as <a href={`/sweeps/${encodeURIComponent(analysis.id)}`}>sweep {analysis.id}</a>
          </p>
        </div>
        <StatusBadge status={analysis.status} />
      </div>
      <SweepProgress progress={analysis.progress} />
      {failure && <Notice tone="error">{failure}</Notice>}
      {report ? (
        <>
          <dl class="facts totals">
            <div><dt>Sensitivity score</dt><dd data-testid="sensitivity-score">{report.sensitivity_score.toFixed(3)}</dd></div>
            <div><dt>Flip rate</dt><dd data-testid="flip-rate">{Math.round(report.flip_rate * 100)}%</dd></div>
            <div><dt>Variants scored</dt><dd>{report.scored} of {report.k}</dd></div>
            <div><dt>Fork point</dt><dd>step {report.fork_point_step}</dd></div>
          </dl>
          <FlipRateChart steps={report.per_step_flip_rate} />
        </>
      ) : (
        <p class="muted">The report appears when every variant has run.</p>
      )}
      <h2 class="section-title">Perturbations</h2>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Perturbations">
        <table class="table" data-testid="variants">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Perturbation</th>
              <th scope="col">Input</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Divergence</th>
              <th scope="col" class="num">First divergent step</th>
              <th scope="col">Outcome</th>
              <th scope="col">Fork</th>
            </tr>
          </thead>
          <tbody>
            {analysis.variants.map((variant) => {
              const scored = byLabel.get(variant.label)
              return (
                <tr key={variant.fork_id}>
                  <th scope="row">{variant.label}</th>
                  <td>{variant.kind}</td>
                  <td class="clip">{prettyJson(variant.modified_input)}</td>
                  <td><StatusBadge status={variant.status} /></td>
                  <td class="num">{scored ? scored.divergence_score.toFixed(3) : '—'}</td>
                  <td class="num">{scored?.first_divergent_step ?? '—'}</td>
                  <td>{scored ? (scored.flipped ? `flipped (${scored.flip_reasons.join(', ').replaceAll('_', ' ')})` : 'same') : '—'}</td>
                  <td><a href={`/forks/${encodeURIComponent(variant.fork_id)}`}>fork and diff</a></td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </>
  )
}

const BAR_WIDTH = 44
const CHART_HEIGHT = 160

/**
 * Per-step flip rate: for each step from the fork point on, the share of variants that first diverge there.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * const html = renderToString(<FlipRateChart steps={[{ step: 2, rate: 0.25, variants: 2 }, { step: 3, rate: 0.75, variants: 6 }]} />)
 * html.includes('the outcome hinges most on step 3 (75% of variants first diverge there)') // → true
 * renderToString(<FlipRateChart steps={[]} />) // → '<p class="muted">No step after the fork point.</p>'
 */
export function FlipRateChart({ steps }: { steps: ReadonlyArray<{ step: number; rate: number; variants: number }> }) {
  if (!steps.length) return <p class="muted">No step after the fork point.</p>
  const width = steps.length * (BAR_WIDTH + 12) + 56
  const hinge = steps.reduce((best, step) => (step.rate > best.rate ? step : best), steps[0]!)
  const percent = (rate: number) => `${Math.round(rate * 100)}%`
  return (
    <figure class="chart" data-testid="flip-rate-chart">
      <svg viewBox={`0 0 ${width} ${CHART_HEIGHT + 40}`} width={width} height={CHART_HEIGHT + 40} role="img" aria-labelledby="flip-chart-title">
        <title id="flip-chart-title">
          Per-step flip rate{hinge.rate > 0 ? `; the outcome hinges most on step ${hinge.step} (${percent(hinge.rate)} of variants first diverge there)` : '; no variant diverged'}
        </title>
        <line x1="44" y1={CHART_HEIGHT} x2={width} y2={CHART_HEIGHT} class="axis" />
        {[0, 0.5, 1].map((tick) => (
          <text key={tick} x="38" y={CHART_HEIGHT - tick * (CHART_HEIGHT - 14) + 4} text-anchor="end" class="tick">{percent(tick)}</text>
        ))}
        {steps.map((step, index) => {
          const height = step.rate * (CHART_HEIGHT - 14)
          const x = 52 + index * (BAR_WIDTH + 12)
          return (
            <g key={step.step} data-step={step.step}>
              <rect x={x} y={CHART_HEIGHT - height} width={BAR_WIDTH} height={Math.max(height, 1)} class={step === hinge && step.rate > 0 ? 'bar-hinge' : 'bar-plain'} />
              <text x={x + BAR_WIDTH / 2} y={CHART_HEIGHT + 16} text-anchor="middle" class="tick">step {step.step}</text>
              <text x={x + BAR_WIDTH / 2} y={CHART_HEIGHT - height - 4} text-anchor="middle" class="tick">{percent(step.rate)}</text>
            </g>
          )
        })}
      </svg>
      <figcaption>
        <table class="table compact">
          <caption class="small muted">Share of variants whose run first diverges at each step</caption>
          <thead><tr><th scope="col">Step</th><th scope="col" class="num">Flip rate</th><th scope="col" class="num">Variants</th></tr></thead>
          <tbody>
            {steps.map((step) => (
              <tr key={step.step}><td>{step.step}</td><td class="num">{percent(step.rate)}</td><td class="num">{step.variants}</td></tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  )
}
