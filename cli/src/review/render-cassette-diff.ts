import { formatRequestDifferences } from '@retrace/cassettes'
import type { DivergenceReason } from '@retrace/divergence'
import type { Terminal } from '../output/terminal.ts'
import type { CassetteDiff, StepDiff, StepMetrics } from './diff-cassettes.ts'
import { formatCount, formatDelta, formatMs, formatUsd } from './format.ts'

/** How to render a cassette diff. */
export interface RenderDiffOptions {
  /** Colours, from `terminal.style`; plain when left out. */
  style?: Terminal['style']
  /** Names of the two sides, for the first line. */
  labels?: { before: string; after: string }
  /** Leave out latencies (they change on every recording), e.g. in a pull-request comment. */
  latency?: boolean
}

const PLAIN: Terminal['style'] = (_format, text) => text

/**
 * Renders a cassette diff as text: the verdict, then each aligned step (request changes as
 * word diffs, like replay mismatch messages; output reasons with similarities; tokens, cost
 * and latency deltas), other requests, the result and the totals.
 *
 * @example
 * import { diffCassettes } from './diff-cassettes.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const before = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const after = { version: 1 as const, interactions: [chat('Weather in Paris?', 'It is raining heavily in Paris today.')] }
 * const text = renderCassetteDiff(diffCassettes(before, after), { labels: { before: 'a.json', after: 'b.json' } })
 * text.split('\n')[0] // → 'a.json → b.json'
 * text.split('\n')[1] // → 'Diverged at step 1 (text layer, score 0).'
 * text.includes('[-Sunny, 18 °C-]{+It is raining heavily in Paris today+}') // → true
 */
export function renderCassetteDiff(diff: CassetteDiff, options: RenderDiffOptions = {}): string {
  const style = options.style ?? PLAIN
  const latency = options.latency !== false
  const lines: string[] = []
  if (options.labels) lines.push(style('bold', `${options.labels.before} → ${options.labels.after}`))
  lines.push(verdictLine(diff, style), '')

  for (const step of diff.steps) lines.push(...stepBlock(step, style, latency))
  if (diff.steps.length === 0) lines.push('No LLM steps on either side.')

  if (diff.requests.length) {
    lines.push('', style('bold', 'Other requests:'))
    for (const change of diff.requests) {
      const mark = change.change === 'added' ? style('green', '+') : change.change === 'removed' ? style('red', '-') : style('yellow', '~')
      lines.push(`  ${mark} ${change.method} ${change.url}${change.detail ? `: ${change.detail}` : ` (${change.change})`}`)
    }
  }
  if (diff.result) {
    lines.push('', style('bold', 'Result changed:'))
    lines.push(formatRequestDifferences([{ path: 'result', kind: 'changed', recorded: diff.result.before, received: diff.result.after }]))
    for (const reason of diff.result.reasons) lines.push(`    • ${reasonText(reason)}`)
  }
  lines.push('', `${style('bold', 'Totals:')} ${totalsLine(diff, latency)}`)
  return `${lines.join('\n')}\n`
}

/**
 * The verdict sentence.
 *
 * @example
 * import { diffCassettes } from './diff-cassettes.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const before = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const after = { version: 1 as const, interactions: [chat('Weather in Paris?', 'It is raining heavily in Paris today.')] }
 * verdictLine(diffCassettes(before, before), (_format, text) => text) // → 'Identical: same requests and outputs (ids, timings and usage aside).'
 * verdictLine(diffCassettes(before, after), (_format, text) => text) // → 'Diverged at step 1 (text layer, score 0).'
 */
export function verdictLine(diff: CassetteDiff, style: Terminal['style'] = PLAIN): string {
  if (diff.verdict === 'identical') return style('green', 'Identical: same requests and outputs (ids, timings and usage aside).')
  if (diff.verdict === 'equivalent') return style('yellow', `Equivalent (score ${diff.score}): differences, none of them a divergence.`)
  const at = diff.firstDivergentStep === undefined ? '' : ` at step ${diff.firstDivergentStep}`
  return style('red', `Diverged${at} (${diff.layer ?? 'output'} layer, score ${diff.score}).`)
}

function stepBlock(step: StepDiff, style: Terminal['style'], latency: boolean): string[] {
  const name =
    step.step === undefined
      ? `Step ${step.candidateStep} (new)`
      : step.candidateStep === undefined
        ? `Step ${step.step} (removed)`
        : step.step === step.candidateStep
          ? `Step ${step.step}`
          : `Step ${step.step} → ${step.candidateStep}`
  const colour = step.status === 'identical' ? 'green' : step.status === 'equivalent' ? 'yellow' : 'red'
  const score = step.status === 'identical' || step.status === 'missing' || step.status === 'added' ? '' : ` (similarity ${step.similarity})`
  const lines = [`${style('bold', name)} · ${style(colour, step.status)}${score}`]
  const model = modelChange(step.before, step.after)
  if (model) lines.push(`  model ${model}`)
  if (step.requestChanges.length) {
    lines.push('  request changed:')
    lines.push(indent(formatRequestDifferences(step.requestChanges), '  '))
  }
  if (step.reasons.length || step.text) {
    const similarities = [step.textSimilarity !== undefined ? `text similarity ${step.textSimilarity}` : '', step.argumentSimilarity !== undefined ? `argument similarity ${step.argumentSimilarity}` : '']
      .filter(Boolean)
      .join(', ')
    lines.push(`  output changed${similarities ? ` (${similarities})` : ''}:`)
    for (const reason of step.reasons) lines.push(`    • ${reasonText(reason)}`)
    if (step.text) lines.push(indent(formatRequestDifferences([{ path: 'text', kind: 'changed', recorded: step.text.before, received: step.text.after }]), '  '))
  }
  // Unchanged numbers are noise in a long diff: the line appears when one of them moved.
  const moved = step.delta.tokens !== 0 || step.delta.costUsd !== 0 || (latency && (step.delta.latencyMs ?? 0) !== 0) || !step.before || !step.after
  const metrics = moved ? metricsLine(step, latency) : ''
  if (metrics) lines.push(style('dim', `  ${metrics}`))
  return lines
}

function modelChange(before: StepMetrics | undefined, after: StepMetrics | undefined): string | undefined {
  if (!before || !after || before.model === after.model) return undefined
  return `${before.model ?? '—'} → ${after.model ?? '—'}`
}

function metricsLine(step: StepDiff, latency: boolean): string {
  const { before, after } = step
  const parts: string[] = []
  const tokens = (m: StepMetrics | undefined) => (m ? m.inputTokens + m.outputTokens : 0)
  if (before && after) {
    parts.push(`tokens ${formatCount(tokens(before))} → ${formatCount(tokens(after))} (${formatDelta(step.delta.tokens, formatCount)})`)
    parts.push(`cost ${formatUsd(before.costUsd)} → ${formatUsd(after.costUsd)} (${formatDelta(step.delta.costUsd, formatUsd)})`)
    if (latency && step.delta.latencyMs !== undefined) parts.push(`latency ${formatMs(before.latencyMs!)} → ${formatMs(after.latencyMs!)} (${formatDelta(step.delta.latencyMs, formatMs)})`)
  } else {
    const only = before ?? after
    if (!only) return ''
    parts.push(`tokens ${formatDelta(step.delta.tokens, formatCount)}`, `cost ${formatDelta(step.delta.costUsd, formatUsd)}`)
  }
  return parts.join(' · ')
}

function totalsLine(diff: CassetteDiff, latency: boolean): string {
  const { before, after, delta } = diff.totals
  const parts = [
    `steps ${before.steps} → ${after.steps} (${formatDelta(delta.steps)})`,
    `tokens ${formatCount(before.tokens)} → ${formatCount(after.tokens)} (${formatDelta(delta.tokens, formatCount)})`,
    `cost ${formatUsd(before.costUsd)} → ${formatUsd(after.costUsd)} (${formatDelta(delta.costUsd, formatUsd)})`,
  ]
  if (latency) parts.push(`time in calls ${formatMs(before.durationMs)} → ${formatMs(after.durationMs)} (${formatDelta(delta.durationMs, formatMs)})`)
  return parts.join(' · ')
}

/** The engine's sentence, with its similarity unless the sentence already gives it. */
function reasonText(reason: DivergenceReason): string {
  return reason.similarity === undefined || reason.message.includes('similarity') ? reason.message : `${reason.message} (similarity ${reason.similarity})`
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n')
}
