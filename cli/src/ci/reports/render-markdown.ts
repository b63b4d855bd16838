import { relative } from 'node:path'
import type { CiOutcome, CiVerdict } from '../ci-verdict.ts'

const ICON: Record<CiOutcome['outcome'], string> = {
  identical: '✅',
  equivalent: '✅',
  recorded: '⚠️',
  diverged: '❌',
  'request-changed': '❌',
  failed: '❌',
  egress: '🚫',
  missing: '❔',
  unusable: '❔',
  secret: '🔑',
  flagged: '🚩',
}

/**
 * The CI verdict as Markdown for a job summary or a pull-request comment: a headline, a table
 * of every cassette, then a collapsible section per failure with the step and the message.
 *
 * @example
 * import { ciVerdict } from '../ci-verdict.ts'
 * const entries = [{ testPath: '/repo/agent.test.ts', testName: 'books', cassette: '/repo/__cassettes__/agent.test.ts/books.cassette.json', outcome: 'diverged' as const, step: 2, message: 'the answer changed' }]
 * const verdict = ciVerdict({ entries, checks: [], tests: { command: 'vitest run', exitCode: 1 } })
 * const markdown = renderMarkdown(verdict, '/repo')
 * // Then: appendFileSync(process.env.GITHUB_STEP_SUMMARY!, markdown)
 * markdown.includes('__cassettes__/agent.test.ts/books.cassette.json') // → true
 * markdown.includes('the answer changed') // → true
 */
export function renderMarkdown(verdict: CiVerdict, cwd: string): string {
  const rel = (path: string) => (path ? relative(cwd, path) || path : '—')
  const failing = verdict.outcomes.filter((outcome) => outcome.exitCode !== 0)
  const lines = [
    `## Retrace CI replay: ${verdict.exitCode === 0 ? 'pass' : `fail (exit ${verdict.exitCode})`}`,
    '',
    `${verdict.counts.passed} matched · ${verdict.counts.regressions} regression(s) · ${verdict.counts.missing} missing · ${verdict.counts.egress} unmatched egress · ${verdict.counts.secrets} secret(s)${verdict.detectors ? ` · ${verdict.counts.flagged} detector flag(s) (${verdict.detectors.failOn.join(', ')}; ${verdict.detectors.cassettes} cassette(s) read)` : ''}`,
    '',
  ]
  if (verdict.outcomes.length) {
    lines.push('| | outcome | test | step | cassette |', '|---|---|---|---|---|')
    for (const outcome of verdict.outcomes) {
      const test = outcome.testName ? `${rel(outcome.testPath ?? '')} › ${outcome.testName}` : '—'
      const what = outcome.flag ? `${outcome.outcome}: ${outcome.flag.kind} by ${outcome.flag.agent}` : outcome.outcome
      lines.push(`| ${ICON[outcome.outcome]} | ${escapeCell(what)} | ${escapeCell(test)} | ${outcome.step ?? '—'} | ${escapeCell(rel(outcome.cassette))} |`)
    }
    lines.push('')
  }
  if (verdict.unexplainedFailure) lines.push(`> ${verdict.unexplainedFailure}`, '')
  for (const outcome of failing) {
    const title = `${outcome.flag ? `${outcome.flag.kind} by ${outcome.flag.agent}` : outcome.outcome}${outcome.step ? ` at step ${outcome.step}` : ''}: ${outcome.testName ?? rel(outcome.cassette)}`
    lines.push('<details>', `<summary>${escapeHtml(title)}</summary>`, '', '```', (outcome.message ?? '(no message)').replaceAll('```', "'''"), '```', '', '</details>', '')
  }
  return `${lines.join('\n')}\n`
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|')
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
