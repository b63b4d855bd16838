import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { LedgerEntry } from '@retrace/core'
import { cassettePathFor, cassettesFolderOf } from '../naming/cassette-path.ts'
import { findObsoleteCassettes, removeObsoleteCassettes } from './obsolete-cassettes.ts'

/** A project folder with one test file and cassettes for the given test names. */
function project(names: string[], testFile = 'agent.test.ts'): { testPath: string; paths: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-obsolete-'))
  const testPath = join(dir, testFile)
  writeFileSync(testPath, '')
  mkdirSync(cassettesFolderOf(testPath), { recursive: true })
  const paths = names.map((name) => cassettePathFor(testPath, name))
  for (const path of paths) writeFileSync(path, '{}')
  return { testPath, paths }
}

const used = (cassette: string): LedgerEntry => ({ testPath: '', testName: '', cassette, outcome: 'identical' })

describe('findObsoleteCassettes', () => {
  test('the cassettes of a test file that ran completely which no matcher call used, sorted', () => {
    const { testPath, paths } = project(['kept', 'renamed test', 'deleted test'])
    expect(findObsoleteCassettes([{ path: testPath, complete: true }], [used(paths[0]!)])).toEqual([paths[2], paths[1]])
  })

  test('nothing is obsolete in a file that ran partly (a filter, .only, a skip): its other tests may still use them', () => {
    const { testPath } = project(['a', 'b'])
    expect(findObsoleteCassettes([{ path: testPath, complete: false }], [])).toEqual([])
  })

  test('only *.cassette.json files count; a test file without cassettes is fine', () => {
    const { testPath, paths } = project(['a'])
    writeFileSync(join(cassettesFolderOf(testPath), 'notes.md'), '')
    const bare = project([], 'other.test.ts')
    expect(findObsoleteCassettes([{ path: testPath, complete: true }, { path: join(bare.testPath, '..', 'missing.test.ts'), complete: true }], [])).toEqual(paths)
  })
})

describe('removeObsoleteCassettes', () => {
  test('deletes the files, then the test file’s folder and __cassettes__ once empty', () => {
    const { testPath, paths } = project(['a', 'b'])
    removeObsoleteCassettes(paths)
    for (const path of paths) expect(existsSync(path)).toBe(false)
    expect(existsSync(cassettesFolderOf(testPath))).toBe(false)
    expect(existsSync(join(testPath, '..', '__cassettes__'))).toBe(false)
    expect(existsSync(testPath)).toBe(true)
  })

  test('a folder still holding a cassette in use stays', () => {
    const { testPath, paths } = project(['a', 'b'])
    removeObsoleteCassettes([paths[1]!])
    expect(existsSync(paths[0]!)).toBe(true)
    expect(existsSync(paths[1]!)).toBe(false)
    expect(existsSync(cassettesFolderOf(testPath))).toBe(true)
  })
})
