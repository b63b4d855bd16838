import type { LedgerEntry } from '@retrace/core'

/** Counts for the end-of-run line. */
export interface RunSummary {
  recorded: number
  replayed: number
  equivalent: number
  diverged: number
  obsolete: number
  missing: number
}

/**
 * Tallies the ledger: `replayed` counts every comparison against a golden cassette;
 * `equivalent` those that passed (identical included); `diverged` those that failed on
 * output or on a changed request.
 *
 * @example
 * const entry = (outcome: 'recorded' | 'identical' | 'diverged') => ({ testPath: '/repo/agent.test.ts', testName: outcome, cassette: `/repo/${outcome}.cassette.json`, outcome })
 * summarizeRun([entry('recorded'), entry('identical'), entry('diverged')], 1)
 * // → { recorded: 1, replayed: 2, equivalent: 1, diverged: 1, obsolete: 1, missing: 0 }
 */
export function summarizeRun(entries: readonly LedgerEntry[], obsolete: number): RunSummary {
  const count = (...outcomes: LedgerEntry['outcome'][]) => entries.filter((entry) => outcomes.includes(entry.outcome)).length
  return {
    recorded: count('recorded'),
    replayed: count('identical', 'equivalent', 'diverged', 'request-changed'),
    equivalent: count('identical', 'equivalent'),
    diverged: count('diverged', 'request-changed'),
    obsolete,
    missing: count('missing'),
  }
}

/**
 * The one summary line printed at the end of a run.
 *
 * @example
 * formatRunSummary({ recorded: 1, replayed: 4, equivalent: 3, diverged: 1, obsolete: 0, missing: 0 })
 * // → 'Retrace cassettes: 1 recorded · 4 replayed · 3 equivalent · 1 diverged · 0 obsolete'
 */
export function formatRunSummary(summary: RunSummary): string {
  const parts = [
    `${summary.recorded} recorded`,
    `${summary.replayed} replayed`,
    `${summary.equivalent} equivalent`,
    `${summary.diverged} diverged`,
    `${summary.obsolete} obsolete`,
  ]
  if (summary.missing) parts.push(`${summary.missing} missing`)
  return `Retrace cassettes: ${parts.join(' · ')}`
}
