import { diffWords } from 'diff'
import type { DiffSide, ForkDiff } from '../api/api-types.ts'
import { StatusBadge } from '../components/badges.tsx'
import { formatCount, formatDelta, formatDuration, formatUsd, prettyJson } from '../model/format.ts'

/**
 * Original vs fork: the divergence score and verdict (semantic, from @retrace/divergence),
 * total deltas, the aligned steps side by side with their deltas (the first divergent step
 * highlighted), and a word diff of the two final outputs.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // `GET /api/v1/forks/:id/diff` of a fork whose answer changed:
 * const totals = { input_tokens: 40, output_tokens: 8, cost_usd: 0.00002, latency_ms: 300, steps: 2, duration_ms: 900, live_cost_usd: 0 }
 * const diff = {
 *   fork_id: 'fk_1', trace_id: 't1', fork_trace_id: 't2', fork_point_step: 1,
 *   divergence: { score: 0.42, verdict: 'diverged' as const, first_divergent_step: 2, reasons: ['step 2: the answer changed'] },
 *   steps: [],
 *   totals: { original: totals, fork: { ...totals, live_cost_usd: 0.00001 }, delta: { ...totals, input_tokens: 0, output_tokens: 0, cost_usd: 0, latency_ms: 0 } },
 *   outcome: { original: { status: 'completed', output: 'Sunny in Paris' }, fork: { status: 'completed', output: 'Rainy in Rome' } },
 * }
 * const html = renderToString(<DiffPanel diff={diff} />)
 * html.includes('<dd data-testid="divergence-score">0.420</dd>') // → true
 * html.match(/data-testid="output-diff">(.*?)<\/pre>/)?.[1]
 * // → '<del>Sunny</del><ins>Rainy</ins><span> in </span><del>Paris</del><ins>Rome</ins>'
 */
export function DiffPanel({ diff }: { diff: ForkDiff }) {
  const changes = diffWords(prettyJson(diff.outcome.original.output ?? ''), prettyJson(diff.outcome.fork.output ?? ''))
  const first = diff.divergence.first_divergent_step
  const delta = diff.totals.delta
  return (
    <section class="diff" aria-labelledby="diff-title" data-testid="diff">
      <h2 id="diff-title" class="section-title" tabIndex={-1}>Diff: original vs fork</h2>
      <dl class="facts totals">
        <div><dt>Verdict</dt><dd data-testid="verdict"><StatusBadge status={diff.divergence.verdict} /></dd></div>
        <div><dt>Divergence score</dt><dd data-testid="divergence-score">{diff.divergence.score.toFixed(3)}</dd></div>
        <div><dt>First divergent step</dt><dd data-testid="first-divergent-step">{first ?? 'none'}</dd></div>
        <div><dt>Δ tokens</dt><dd>{formatDelta(delta.input_tokens + delta.output_tokens, formatCount)}</dd></div>
        <div><dt>Δ cost</dt><dd>{formatDelta(delta.cost_usd, formatUsd)}</dd></div>
        <div><dt>Δ LLM latency</dt><dd>{formatDelta(delta.latency_ms, formatDuration)}</dd></div>
        <div><dt>Fork’s live cost</dt><dd>{formatUsd(diff.totals.fork.live_cost_usd)}</dd></div>
      </dl>
      {diff.divergence.reasons.length > 0 && (
        <ul class="reasons">
          {diff.divergence.reasons.map((reason, index) => <li key={index}>{reason}</li>)}
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
            {diff.steps.map((step, index) => {
              const isFirst = first !== null && (step.step ?? step.fork_step) === first
              return (
                <tr key={index} class={step.status === 'identical' || step.status === 'equivalent' ? undefined : 'divergent'} data-step={step.step ?? ''} aria-current={isFirst ? 'step' : undefined}>
                  <th scope="row">
                    {step.step ?? '—'}
                    {step.fork_step !== step.step && <span class="muted small"> (fork {step.fork_step ?? '—'})</span>}
                    {isFirst && <span class="badge badge-bad">first divergence</span>}
                  </th>
                  <td><Side side={step.original} /></td>
                  <td><Side side={step.fork} /></td>
                  <td class="num">{formatDelta(step.delta.input_tokens + step.delta.output_tokens, formatCount)}</td>
                  <td class="num">{formatDelta(step.delta.cost_usd, formatUsd)}</td>
                  <td class="num">{formatDelta(step.delta.latency_ms, formatDuration)}</td>
                  <td><StatusBadge status={step.status} /></td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <h3 class="subhead">Final output</h3>
      <p class="small muted">
        Original {diff.outcome.original.status}, fork {diff.outcome.fork.status}. Removed in the fork <del>like this</del>, added <ins>like this</ins>.
      </p>
      <pre class="code text-diff" tabIndex={0} aria-label="Word diff of the final outputs" data-testid="output-diff">
        {changes.map((change, index) => (change.added ? <ins key={index}>{change.value}</ins> : change.removed ? <del key={index}>{change.value}</del> : <span key={index}>{change.value}</span>))}
      </pre>
    </section>
  )
}

function Side({ side }: { side: DiffSide | null }) {
  if (!side) return <span class="muted">(no step)</span>
  const calls = side.tool_calls.map((call) => `${call.name}(${JSON.stringify(call.arguments)})`).join(', ')
  const text = [side.text, calls].filter(Boolean).join('\n')
  return (
    <div class="diff-side">
      <div class="diff-text">{text.length > 600 ? `${text.slice(0, 600)}…` : text || <span class="muted">(no output)</span>}</div>
      <div class="muted small">
        {formatCount(side.input_tokens)} in / {formatCount(side.output_tokens)} out · {formatUsd(side.cost_usd)} · {formatDuration(side.latency_ms)}
        {side.replayed && ' · from the recording'}
      </div>
    </div>
  )
}
