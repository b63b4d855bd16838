import { describe, expect, test } from 'vitest'
import type { LedgerEntry } from '@retrace/core'
import type { LastRun } from '@retrace/matchers'
import { planPrune, pruneCandidates, type CassetteOnDisk } from '../src/review/plan-prune.ts'

const finishedAt = '2026-01-01T12:00:00.000Z'
const before = Date.parse(finishedAt) - 60_000
const after = Date.parse(finishedAt) + 60_000
const entry = (cassette: string, outcome: LedgerEntry['outcome'], used?: number[], testPath = '/p/a.test.ts'): LedgerEntry => ({
  testPath,
  testName: cassette,
  cassette: `/p/__cassettes__/a.test.ts/${cassette}.cassette.json`,
  outcome,
  ...(used ? { used } : {}),
})
const file = (name: string) => `/p/__cassettes__/a.test.ts/${name}.cassette.json`
const lastRun = (entries: LedgerEntry[], complete = true): LastRun => ({ finishedAt, entries, testFiles: [{ path: '/p/a.test.ts', complete }] })

describe('pruneCandidates', () => {
  test('only cassettes every test replayed successfully, in completely-run files, with known used interactions', () => {
    const run = lastRun([
      entry('replayed', 'identical', [1, 2]),
      entry('shared', 'identical', [0]),
      entry('shared', 'equivalent', [2]),
      entry('recorded', 'recorded'),
      entry('diverged', 'diverged', [0]),
      entry('changed', 'request-changed'),
      entry('unknown', 'identical'),
      entry('live', 'identical', []),
      entry('partial', 'identical', [0], '/p/b.test.ts'),
    ])
    const { candidates, skipped } = pruneCandidates(run)
    expect(candidates).toEqual([
      { file: file('replayed'), used: [1, 2] },
      // Used by two tests: what either used is kept.
      { file: file('shared'), used: [0, 2] },
    ])
    expect(Object.fromEntries(skipped.map((skip) => [skip.file.split('/').at(-1), skip.reason]))).toEqual({
      'recorded.cassette.json': 'recorded in the last run',
      'diverged.cassette.json': 'diverged in the last run',
      'changed.cassette.json': 'request-changed in the last run',
      'unknown.cassette.json': 'the last run did not say which interactions it used',
      'live.cassette.json': 'the last run replayed none of its interactions (a live run?)',
      'partial.cassette.json': 'its test file did not run completely in the last run',
    })
  })

  test('a cassette recorded by one test and replayed by another is left alone', () => {
    expect(pruneCandidates(lastRun([entry('x', 'identical', [0]), entry('x', 'recorded')])).candidates).toEqual([])
  })
})

describe('planPrune', () => {
  test('drops the interactions no test used and deletes obsolete cassettes', () => {
    const onDisk = new Map<string, CassetteOnDisk>([[file('replayed'), { interactions: 4, modifiedMs: before }]])
    const plan = planPrune(lastRun([entry('replayed', 'identical', [1, 2])]), [{ file: file('obsolete'), modifiedMs: before }], onDisk)
    expect(plan.deletions).toEqual([file('obsolete')])
    expect(plan.rewrites).toEqual([{ file: file('replayed'), drop: [0, 3], before: 4, after: 2 }])
    expect(plan.skipped).toEqual([])
  })

  test('leaves alone files changed since the run, files that no longer match the run, unreadable and vanished ones', () => {
    const run = lastRun([entry('newer', 'identical', [0]), entry('shorter', 'identical', [0, 5]), entry('broken', 'identical', [0]), entry('gone', 'identical', [0])])
    const onDisk = new Map<string, CassetteOnDisk>([
      [file('newer'), { interactions: 3, modifiedMs: after }],
      [file('shorter'), { interactions: 3, modifiedMs: before }],
      [file('broken'), { error: 'it is not valid JSON' }],
    ])
    const plan = planPrune(run, [{ file: file('new-obsolete'), modifiedMs: after }], onDisk)
    expect(plan.deletions).toEqual([])
    expect(plan.rewrites).toEqual([])
    expect(plan.skipped.map((skip) => `${skip.file.split('/').at(-1)}: ${skip.reason}`)).toEqual([
      'broken.cassette.json: it is not valid JSON',
      'gone.cassette.json: it no longer exists',
      'new-obsolete.cassette.json: no test used it, but it changed since the last run; run the tests again first',
      'newer.cassette.json: changed since the last run; run the tests again first',
      'shorter.cassette.json: the last run used interaction #6, which it does not have; run the tests again first',
    ])
  })

  test('a fully used cassette is not rewritten', () => {
    const onDisk = new Map<string, CassetteOnDisk>([[file('full'), { interactions: 2, modifiedMs: before }]])
    expect(planPrune(lastRun([entry('full', 'identical', [0, 1])]), [], onDisk).rewrites).toEqual([])
  })
})
