import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { LedgerEntry } from '@retrace/core'
import { cassettePathFor, cassettesFolderOf } from '../naming/cassette-path.ts'
import { finishTestRun } from './finish-test-run.ts'
import { LAST_RUN_FILE, readLastRun } from './last-run.ts'

function project(): { root: string; testPath: string; used: string; obsolete: string } {
  const root = mkdtempSync(join(tmpdir(), 'retrace-finish-'))
  const testPath = join(root, 'agent.test.ts')
  writeFileSync(testPath, '')
  mkdirSync(cassettesFolderOf(testPath), { recursive: true })
  const used = cassettePathFor(testPath, 'books')
  const obsolete = cassettePathFor(testPath, 'old name')
  for (const path of [used, obsolete]) writeFileSync(path, '{}')
  return { root, testPath, used, obsolete }
}

describe('finishTestRun', () => {
  test('prints the summary and lists obsolete cassettes, and keeps the last-run record', () => {
    const { root, testPath, used, obsolete } = project()
    const entries: LedgerEntry[] = [{ testPath, testName: 'books', cassette: used, outcome: 'identical' }]
    const lines = finishTestRun({ entries, files: [{ path: testPath, complete: true }], update: false, root, runner: 'vitest' })
    expect(lines).toEqual([
      'Retrace cassettes: 0 recorded · 1 replayed · 1 equivalent · 0 diverged · 1 obsolete',
      'Obsolete cassettes (no test uses them; run with -u to remove):',
      `  ${obsolete}`,
    ])
    expect(existsSync(obsolete)).toBe(true)
    expect(readLastRun(join(root, LAST_RUN_FILE))).toMatchObject({ runner: 'vitest', entries, testFiles: [{ path: testPath, complete: true }] })
  })

  test('with -u the obsolete cassettes are removed', () => {
    const { root, testPath, used, obsolete } = project()
    const lines = finishTestRun({ entries: [{ testPath, testName: 'books', cassette: used, outcome: 'recorded' }], files: [{ path: testPath, complete: true }], update: true, root, runner: 'jest' })
    expect(lines).toEqual(['Retrace cassettes: 1 recorded · 0 replayed · 0 equivalent · 0 diverged · 1 obsolete', 'Removed 1 obsolete cassette(s).'])
    expect(existsSync(obsolete)).toBe(false)
    expect(existsSync(used)).toBe(true)
  })

  test('a run that touched no cassette prints nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'retrace-finish-'))
    expect(finishTestRun({ entries: [], files: [{ path: join(root, 'unit.test.ts'), complete: true }], update: false, root, runner: 'vitest' })).toEqual([])
  })
})
