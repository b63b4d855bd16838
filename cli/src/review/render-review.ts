import type { ReviewEntry, ReviewReport, ReviewVerdict } from './build-review.ts'
import { formatCount, formatDelta, formatUsd } from './format.ts'
import { renderCassetteDiff, verdictLine } from './render-cassette-diff.ts'
import { renderTimeline, totalsLine } from './render-timeline.ts'

const ICON: Record<ReviewVerdict, string> = {
  diverged: '❌',
  unreadable: '⚠️',
  added: '🆕',
  deleted: '🗑️',
  equivalent: '🟡',
  identical: '✅',
}

// GitHub refuses comments over 65,536 characters; leave room for the headline and table.
const MAX_COMMENT_CHARS = 60_000

/**
 * The review as one Markdown document for a pull-request comment: a headline, a table of
 * every changed cassette (verdict, Δ tokens, Δ cost, Δ steps), then a collapsible section
 * per cassette with its step-by-step diff. Sections that would push the comment past
 * GitHub's size limit are left out, with a note saying so.
 *
 * @example
 * import { buildReview } from './build-review.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const before = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const after = { version: 1 as const, interactions: [chat('Weather in Paris?', 'It is raining heavily in Paris today.')] }
 * const changes = [{ path: 'weather.cassette.json', change: 'modified' as const, before: JSON.stringify(before), after: JSON.stringify(after) }]
 * const markdown = renderReviewMarkdown(buildReview({ ref: 'origin/main', commit: 'abc1234' }, changes))
 * // Written to review.md, or posted as a pull-request comment.
 * markdown.split('\n')[0] // → '## Retrace cassette review'
 * markdown.includes('weather.cassette.json') // → true
 */
export function renderReviewMarkdown(report: ReviewReport, options: { maxChars?: number } = {}): string {
  const { counts, delta } = report
  const lines = ['## Retrace cassette review', '']
  const base = `\`${report.base.ref}\`${report.base.commit.startsWith(report.base.ref) ? '' : ` (\`${report.base.commit.slice(0, 12)}\`)`}`
  if (report.entries.length === 0) {
    lines.push(`No cassette changed against ${base}.`)
    return `${lines.join('\n')}\n`
  }
  const tally = (Object.keys(ICON) as ReviewVerdict[]).filter((verdict) => counts[verdict] > 0).map((verdict) => `${counts[verdict]} ${verdict}`)
  lines.push(
    `${report.entries.length} cassette(s) changed against ${base}: ${tally.join(' · ')}.`,
    `Overall: Δ steps ${formatDelta(delta.steps)} · Δ tokens ${formatDelta(delta.tokens, formatCount)} · Δ cost ${formatDelta(delta.costUsd, formatUsd)}.`,
    '',
    '| cassette | verdict | Δ tokens | Δ cost | Δ steps |',
    '|---|---|---:|---:|---:|',
  )
  for (const entry of report.entries) {
    lines.push(`| ${cell(`\`${entry.path}\``)} | ${ICON[entry.verdict]} ${entry.verdict} | ${formatDelta(entry.delta.tokens, formatCount)} | ${formatDelta(entry.delta.costUsd, formatUsd)} | ${formatDelta(entry.delta.steps)} |`)
  }
  lines.push('')

  let text = lines.join('\n')
  const limit = options.maxChars ?? MAX_COMMENT_CHARS
  let omitted = 0
  for (const entry of report.entries) {
    const section = `\n${detailsSection(entry)}\n`
    if (text.length + section.length > limit) omitted++
    else text += section
  }
  if (omitted) text += `\n> ${omitted} section(s) left out to stay under GitHub's comment size limit: run \`retrace review\` locally for the full report.\n`
  return text.endsWith('\n') ? text : `${text}\n`
}

function detailsSection(entry: ReviewEntry): string {
  const title = `${ICON[entry.verdict]} ${entry.verdict}: ${entry.path}`
  const body: string[] = []
  if (entry.verdict === 'unreadable') body.push(codeBlock(entry.error ?? 'unreadable'))
  else if (entry.diff) {
    body.push(`**${verdictLine(entry.diff)}**`, '', codeBlock(renderCassetteDiff(entry.diff, { latency: false })))
  } else if (entry.timeline && entry.verdict === 'added') {
    body.push(`New cassette: ${totalsLine(entry.timeline.totals, true)}.`, '', codeBlock(renderTimeline(entry.timeline, { timings: false })))
  } else if (entry.timeline) {
    body.push(`Deleted. It held ${totalsLine(entry.timeline.totals, true)}.`)
  }
  return ['<details>', `<summary>${escapeHtml(title)}</summary>`, '', ...body, '', '</details>'].join('\n')
}

function codeBlock(text: string): string {
  // A fence longer than any backtick run inside, so cassette text cannot close it early.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}text\n${text.replace(/\n$/, '')}\n${fence}`
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
