import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { CASSETTE_EXTENSION, CASSETTES_DIR, cassetteFileName, cassettePathFor, cassettesFolderOf } from './cassette-path.ts'

const testFile = join('/repo', 'src', 'agent.test.ts')

describe('where a test’s cassette goes', () => {
  test('beside the test file: __cassettes__/<test file>/<test name>.cassette.json', () => {
    expect(cassettePathFor(testFile, 'books the cheapest flight')).toBe(join('/repo', 'src', '__cassettes__', 'agent.test.ts', 'books the cheapest flight.cassette.json'))
    expect(cassettesFolderOf(testFile)).toBe(join('/repo', 'src', CASSETTES_DIR, 'agent.test.ts'))
    expect(CASSETTE_EXTENSION).toBe('.cassette.json')
  })

  test('a second and third cassette of the same name in one test get " 2" and " 3", like snapshots', () => {
    expect(cassettePathFor(testFile, 'refund', 1)).toMatch(/[/\\]refund\.cassette\.json$/)
    expect(cassettePathFor(testFile, 'refund', 2)).toMatch(/[/\\]refund 2\.cassette\.json$/)
    expect(cassettePathFor(testFile, 'refund', 3)).toMatch(/[/\\]refund 3\.cassette\.json$/)
  })

  test('a nested test name (describe > test) stays one file in the test file’s folder', () => {
    const path = cassettePathFor(testFile, 'flights > books the cheapest: one way')
    expect(path).toBe(join(cassettesFolderOf(testFile), 'flights - books the cheapest- one way.cassette.json'))
  })
})

describe('cassetteFileName', () => {
  test.each([
    ['a/b\\c', 'a-b-c'],
    ['what? <yes> | "no" *', 'what- -yes- - -no- -'],
    ['runs   twice', 'runs twice'],
    ['tab\tand\nnewline', 'tab-and-newline'],
    ['  padded  ', 'padded'],
    ['..hidden', 'hidden'],
    ['control\u0007char', 'control-char'],
  ])('%j → %j', (name, file) => {
    expect(cassetteFileName(name)).toBe(file)
  })

  test('an empty or all-dots name still makes a file name', () => {
    expect(cassetteFileName('')).toBe('unnamed')
    expect(cassetteFileName('...')).toBe('unnamed')
  })

  test('long names keep their first 180 characters', () => {
    const name = `${'a'.repeat(150)} ${'b'.repeat(100)}`
    expect(cassetteFileName(name)).toBe(name.slice(0, 180))
  })
})
