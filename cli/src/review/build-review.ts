import { CassetteFormatError, parseCassette } from '@retrace/cassettes'
import type { DivergenceOptions } from '@retrace/divergence'
import { buildTimeline, type Timeline } from './build-timeline.ts'
import { diffCassettes, type CassetteDiff } from './diff-cassettes.ts'

/** A cassette file git reports as changed, with its text on each side. */
export interface ChangedCassette {
  /** Path relative to the repository root. */
  path: string
  change: 'added' | 'modified' | 'deleted'
  /** The file's text at the base; absent when added. */
  before?: string
  /** The file's text in the working tree; absent when deleted. */
  after?: string
  /** Why the working-tree file could not be read as text (a FIFO, a link to a device, bad UTF-8). */
  afterError?: CassetteFormatError
}

/** How one changed cassette reads in the review. */
export type ReviewVerdict = 'diverged' | 'unreadable' | 'added' | 'deleted' | 'equivalent' | 'identical'

/** One changed cassette, judged. */
export interface ReviewEntry {
  path: string
  change: ChangedCassette['change']
  verdict: ReviewVerdict
  delta: { steps: number; tokens: number; costUsd: number }
  /** The step-by-step diff, for a modified cassette. */
  diff?: CassetteDiff
  /** The cassette's timeline, for an added (new side) or deleted (old side) cassette. */
  timeline?: Timeline
  /** Why the cassette could not be read, for `unreadable`. */
  error?: string
}

/** Every changed cassette between a git base and the working tree. */
export interface ReviewReport {
  base: { ref: string; commit: string }
  entries: ReviewEntry[]
  counts: Record<ReviewVerdict, number>
  delta: { steps: number; tokens: number; costUsd: number }
}

const ORDER: readonly ReviewVerdict[] = ['diverged', 'unreadable', 'added', 'deleted', 'equivalent', 'identical']

/**
 * Judges every changed cassette: modified ones by their semantic diff (identical,
 * equivalent or diverged), added and deleted ones by what they hold, unreadable ones with
 * the reason. Sorted so what needs a reviewer comes first. Pure.
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const before = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const after = { version: 1 as const, interactions: [chat('Weather in Paris?', 'It is raining heavily in Paris today.')] }
 * const report = buildReview({ ref: 'origin/main', commit: 'abc1234' }, [{ path: 'a.cassette.json', change: 'modified', before: JSON.stringify(before), after: JSON.stringify(after) }])
 * report.entries[0]!.verdict // → 'diverged'
 */
export function buildReview(base: ReviewReport['base'], changes: readonly ChangedCassette[], options: DivergenceOptions = {}): ReviewReport {
  const entries = changes.map((change) => reviewEntry(change, options))
  entries.sort((x, y) => ORDER.indexOf(x.verdict) - ORDER.indexOf(y.verdict) || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
  const counts = Object.fromEntries(ORDER.map((verdict) => [verdict, 0])) as Record<ReviewVerdict, number>
  const delta = { steps: 0, tokens: 0, costUsd: 0 }
  for (const entry of entries) {
    counts[entry.verdict]++
    delta.steps += entry.delta.steps
    delta.tokens += entry.delta.tokens
    delta.costUsd += entry.delta.costUsd
  }
  delta.costUsd = Number(delta.costUsd.toPrecision(12))
  return { base, entries, counts, delta }
}

function reviewEntry(change: ChangedCassette, options: DivergenceOptions): ReviewEntry {
  const entry: ReviewEntry = { path: change.path, change: change.change, verdict: 'identical', delta: { steps: 0, tokens: 0, costUsd: 0 } }
  try {
    if (change.afterError) throw change.afterError
    const before = change.before === undefined ? undefined : parseCassette(change.before, `${change.path} (base)`)
    const after = change.after === undefined ? undefined : parseCassette(change.after, change.path)
    if (before && after) {
      const diff = diffCassettes(before, after, options)
      entry.verdict = diff.verdict
      entry.diff = diff
      entry.delta = { steps: diff.totals.delta.steps, tokens: diff.totals.delta.tokens, costUsd: diff.totals.delta.costUsd }
    } else if (after) {
      const timeline = buildTimeline(after)
      entry.verdict = 'added'
      entry.timeline = timeline
      entry.delta = { steps: timeline.totals.steps, tokens: timeline.totals.tokens, costUsd: timeline.totals.costUsd }
    } else if (before) {
      const timeline = buildTimeline(before)
      entry.verdict = 'deleted'
      entry.timeline = timeline
      entry.delta = { steps: -timeline.totals.steps, tokens: -timeline.totals.tokens, costUsd: -timeline.totals.costUsd }
    }
  } catch (error) {
    // One broken file (a merge conflict left in it) must not hide the review of the others.
    if (!(error instanceof CassetteFormatError)) throw error
    entry.verdict = 'unreadable'
    entry.error = error.message
  }
  return entry
}
