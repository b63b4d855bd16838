import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { LedgerEntry } from '@retrace/core'
import { thrownBy } from '../../../test-support/thrown-by.ts'
import { findLastRunFile, LAST_RUN_FILE, LastRunError, readLastRun, writeLastRun } from './last-run.ts'

const root = () => mkdtempSync(join(tmpdir(), 'retrace-last-run-'))
const entry: LedgerEntry = { testPath: '/repo/agent.test.ts', testName: 'books', cassette: '/repo/__cassettes__/agent.test.ts/books.cassette.json', outcome: 'diverged', message: 'The replayed run diverged…', step: 2, used: [0, 1] }

const lastRunError = (run: () => unknown) => thrownBy(run, LastRunError)

describe('the last-run record', () => {
  test('is written under node_modules/.cache/retrace and read back, without failure messages', () => {
    const dir = root()
    writeLastRun(dir, 'vitest', [entry], [{ path: '/repo/agent.test.ts', complete: true }])
    const file = join(dir, 'node_modules', '.cache', 'retrace', 'last-run.json')
    expect(join(dir, LAST_RUN_FILE)).toBe(file)
    const { message: _message, ...withoutMessage } = entry
    const lastRun = readLastRun(file)
    expect(lastRun).toEqual({ finishedAt: expect.any(String), runner: 'vitest', entries: [withoutMessage], testFiles: [{ path: '/repo/agent.test.ts', complete: true }] })
    expect(Date.now() - Date.parse(lastRun.finishedAt)).toBeLessThan(60_000)
  })

  test('is found from a sub-folder of the project', () => {
    const dir = root()
    writeLastRun(dir, 'jest', [], [])
    const sub = join(dir, 'packages', 'agent', 'src')
    mkdirSync(sub, { recursive: true })
    expect(findLastRunFile(sub)).toBe(join(dir, LAST_RUN_FILE))
    expect(findLastRunFile(root())).toBeUndefined()
  })

  test('writing never throws: a project root that cannot hold the file costs the record, not the run', () => {
    const notAFolder = join(root(), 'file')
    writeFileSync(notAFolder, '')
    expect(() => writeLastRun(notAFolder, 'vitest', [entry], [])).not.toThrow()
  })

  test('missing: a LastRunError naming the file, with how to make one', () => {
    const file = join(root(), LAST_RUN_FILE)
    const error = lastRunError(() => readLastRun(file))
    expect(error.code).toBe('RETRACE_LAST_RUN')
    expect(error.file).toBe(file)
    const [problem, hint] = error.message.split('\n\n')
    expect(problem).toBe(`No record of a test run: ${file} does not exist.`)
    expect(hint).toBe(error.hint)
    expect(hint).toContain('Run your tests first')
  })

  test.each([
    ['not JSON', '{ half'],
    ['not a record', JSON.stringify({ entries: [] })],
    ['a bad entry', JSON.stringify({ finishedAt: new Date().toISOString(), entries: [{ outcome: 'great' }], testFiles: [] })],
    ['a bad test file', JSON.stringify({ finishedAt: new Date().toISOString(), entries: [], testFiles: [{ path: 1 }] })],
  ])('unreadable (%s): a LastRunError naming the file and what is wrong', (_case, content) => {
    const file = join(root(), LAST_RUN_FILE)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
    const error = lastRunError(() => readLastRun(file))
    expect(error.file).toBe(file)
    expect(error.message.split('\n\n')[0]).toMatch(/^The record of the last test run, .+, cannot be read \(.+\)\.$/)
    expect(error.message).toContain(file)
  })
})
