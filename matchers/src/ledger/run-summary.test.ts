import { describe, expect, test } from 'vitest'
import type { LedgerEntry, LedgerOutcome } from '@retrace/core'
import { formatRunSummary, summarizeRun } from './run-summary.ts'

const entry = (outcome: LedgerOutcome): LedgerEntry => ({ testPath: '/repo/agent.test.ts', testName: outcome, cassette: `/repo/__cassettes__/agent.test.ts/${outcome}.cassette.json`, outcome })

describe('the end-of-run summary', () => {
  test('replayed counts every comparison with a golden cassette; a changed request counts as diverged', () => {
    const outcomes: LedgerOutcome[] = ['recorded', 'identical', 'equivalent', 'equivalent', 'diverged', 'request-changed', 'missing', 'unusable', 'failed', 'egress']
    expect(summarizeRun(outcomes.map(entry), 2)).toEqual({ recorded: 1, replayed: 5, equivalent: 3, diverged: 2, obsolete: 2, missing: 1 })
  })

  test('one line; missing cassettes only when there are some', () => {
    expect(formatRunSummary({ recorded: 1, replayed: 4, equivalent: 3, diverged: 1, obsolete: 0, missing: 0 })).toBe('Retrace cassettes: 1 recorded · 4 replayed · 3 equivalent · 1 diverged · 0 obsolete')
    expect(formatRunSummary(summarizeRun([entry('missing'), entry('missing')], 0))).toBe('Retrace cassettes: 0 recorded · 0 replayed · 0 equivalent · 0 diverged · 0 obsolete · 2 missing')
  })
})
