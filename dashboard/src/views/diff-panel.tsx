import { diffWords } from 'diff'
import { StatusBadge } from '../components/badges.tsx'
import { formatCount, formatDelta, formatDuration, formatUsd } from '../model/format.ts'
import type { DiffInfo, DiffSide } from '../model/fork-shapes.ts'

/**
 * Original vs fork: the divergence score and verdict, total deltas, the aligned steps side
 * by side with their deltas (the first divergent step highlighted), and a word diff of the
 * two final outputs.
 */
export function DiffPanel({ diff }: { diff: DiffInfo }) {
  const changes = diffWords(diff.originalOutput, diff.forkOutput)
  return (
    <section class="diff" aria-labelledby="diff-title" data-testid="diff">
      <h2 id="diff-title" class="section-title" tabIndex={-1}>Diff: original vs fork</h2>
      <dl class="facts totals">
        <div><dt>Verdict</dt><dd>{diff.verdict ? <StatusBadge status={diff.verdict} /> : '—'}</dd></div>
        <div><dt>Divergence score</dt><dd data-testid="divergence-score">{diff.score === undefined ? '—' : diff.score.toFixed(3)}</dd></div>
        <div><dt>First divergent step</dt><dd data-testid="first-divergent-step">{diff.firstDivergentStep ?? 'none'}</dd></div>
        <div><dt>Δ cost</dt><dd>{formatDelta(diff.delta.usd, formatUsd)}</dd></div>
        <div><dt>Δ tokens</dt><dd>{formatDelta(diff.delta.inputTokens !== undefined || diff.delta.outputTokens !== undefined ? (diff.delta.inputTokens ?? 0) + (diff.delta.outputTokens ?? 0) : undefined, formatCount)}</dd></div>
        <div><dt>Δ latency</dt><dd>{formatDelta(diff.delta.latencyMs, formatDuration)}</dd></div>
      </dl>
      {diff.reasons.length > 0 && (
        <ul class="reasons">
          {diff.reasons.map((reason, index) => <li key={index}>{reason}</li>)}
        </ul>
      )}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Aligned steps">
        <table class="table diff-table">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Original</th>
              <th scope="col">Fork</th>
              <th scope="col" class="num">Δ tokens</th>
              <th scope="col" class="num">Δ cost</th>
              <th scope="col" class="num">Δ latency</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {diff.steps.map((step) => (
              <tr key={step.index} class={step.divergent ? 'divergent' : undefined} data-step={step.index} aria-current={step.index === diff.firstDivergentStep ? 'step' : undefined}>
                <th scope="row">{step.index}{step.index === diff.firstDivergentStep && <span class="badge badge-bad">first divergence</span>}</th>
                <td><Side side={step.original} /></td>
                <td><Side side={step.fork} /></td>
                <td class="num">{formatDelta(step.deltaTokens, formatCount)}</td>
                <td class="num">{formatDelta(step.deltaUsd, formatUsd)}</td>
                <td class="num">{formatDelta(step.deltaLatencyMs, formatDuration)}</td>
                <td>{step.verdict ? <StatusBadge status={step.verdict} /> : step.score !== undefined ? step.score.toFixed(2) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3 class="subhead">Final output</h3>
      <p class="small muted">Removed in the fork <del>like this</del>, added <ins>like this</ins>.</p>
      <pre class="code text-diff" tabIndex={0} aria-label="Word diff of the final outputs">
        {changes.map((change, index) => (change.added ? <ins key={index}>{change.value}</ins> : change.removed ? <del key={index}>{change.value}</del> : <span key={index}>{change.value}</span>))}
      </pre>
    </section>
  )
}

function Side({ side }: { side: DiffSide | undefined }) {
  if (!side) return <span class="muted">(no step)</span>
  return (
    <div class="diff-side">
      {side.name && <div class="small"><code>{side.name}</code></div>}
      <div class="diff-text">{side.text.length > 600 ? `${side.text.slice(0, 600)}…` : side.text}</div>
      <div class="muted small">
        {side.inputTokens !== undefined && `${formatCount(side.inputTokens)} in / ${formatCount(side.outputTokens)} out · `}
        {side.usd !== undefined && `${formatUsd(side.usd)} · `}
        {side.latencyMs !== undefined && formatDuration(side.latencyMs)}
      </div>
    </div>
  )
}
