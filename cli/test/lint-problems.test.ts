import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { findSecrets } from '@retrace/cassettes'
import { checkCassetteFiles } from '../src/cassette-files/check-cassette-files.ts'
import { lintProblems } from '../src/review/lint-problems.ts'
import { cassetteText, weatherRun } from './hand-made-cassettes.ts'

// Built at run time: a secret-shaped literal is never committed.
const KEY = 'sk-' + 'proj-' + 'Abc1'.repeat(10)

function writeTemp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'retrace-lint-')), 'a.cassette.json')
  writeFileSync(file, text)
  return file
}

describe('lintProblems', () => {
  test('a secret is reported by JSON path and kind, never by value', () => {
    const cassette = weatherRun()
    cassette.interactions[0]!.request.headers.authorization = `Bearer ${KEY}`
    const problems = lintProblems({ file: 'a.cassette.json', cassette, secrets: findSecrets(cassette) })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ file: 'a.cassette.json', kind: 'secret', path: '$.interactions[0].request.headers.authorization' })
    expect(JSON.stringify(problems)).not.toContain('Abc1Abc1')
  })

  test('every schema problem of an invalid cassette is listed with its path', () => {
    const raw = JSON.parse(cassetteText(weatherRun())) as { interactions: Array<{ request: { url: unknown; method: unknown } }> }
    raw.interactions[0]!.request.url = 42
    raw.interactions[1]!.request.method = null
    const problems = lintProblems({ file: 'b.cassette.json', invalid: 'Cassette b.cassette.json is not usable: …', secrets: [] }, JSON.stringify(raw))
    expect(problems.map((problem) => [problem.kind, problem.path])).toEqual([
      ['invalid', '$.interactions[0].request.url'],
      ['invalid', '$.interactions[1].request.method'],
    ])
  })

  test("a file that is not JSON gets the reader's own explanation and fix", () => {
    const invalid = 'Cassette c.cassette.json is not usable: it is not valid JSON (line 1, column 2: Unexpected token).\n\nIf a merge conflict …'
    expect(lintProblems({ file: 'c.cassette.json', invalid, secrets: [] }, '{oops')).toEqual([
      {
        file: 'c.cassette.json',
        kind: 'invalid',
        path: '$',
        message: 'it is not valid JSON (line 1, column 2: Unexpected token).',
        fix: expect.stringMatching(/restore it from git/),
      },
    ])
  })

  test('a problem JSON.parse lets through is reported with the path and fix replay gives', () => {
    const text = cassetteText(weatherRun()).replace('"version": 1,', '"version": 1,\n  "version": 1,')
    const check = checkCassetteFiles([writeTemp(text)])[0]!
    expect(check.error?.problem).toBe('duplicate-key')
    expect(lintProblems(check)).toEqual([
      { file: check.file, kind: 'invalid', path: '$', message: expect.stringMatching(/the key "version" twice \(the second at line 3, column 3\)/), fix: expect.stringMatching(/Keep the one you mean/) },
    ])
  })
})
