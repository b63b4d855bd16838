import { describe, expect, test } from 'vitest'
import { thrownBy } from '../../../test-support/thrown-by.ts'
import { CassetteFormatError } from '../errors/cassette-format-error.ts'
import { MAX_CASSETTE_DEPTH } from '../json/json-depth.ts'
import { checkJsonStructure } from './check-json-structure.ts'
import { parseCassette } from './parse-cassette.ts'

const check = (text: string) => checkJsonStructure(JSON.parse(text), text)

function cassetteText(body: string): string {
  return `{
  "version": 1,
  "interactions": [
    {
      "request": { "method": "POST", "url": "https://api.example.com/v1/chat", "headers": {} },
      "response": { "status": 200, "headers": {}, "body": { "json": ${body} } }
    }
  ]
}
`
}

function formatError(text: string): CassetteFormatError {
  return thrownBy(() => parseCassette(text, 'bad.cassette.json'), CassetteFormatError)
}

describe('what JSON.parse lets through', () => {
  test('a duplicate key is refused with the object’s path, the key and its line (JSON.parse keeps the last silently)', () => {
    const error = formatError(cassetteText('{ "id": "chatcmpl-1",\n "model": "a",\n "model": "b" }'))
    expect(error.problem).toBe('duplicate-key')
    expect(error.path).toBe('$.interactions[0].response.body.json')
    expect(error.line).toBe(8)
    expect(error.message).toContain('bad.cassette.json')
    expect(error.message).toMatch(/\$\.interactions\[0\]\.response\.body\.json has the key "model" twice \(the second at line 8, column 2\)/)
    expect(error.hint).toMatch(/Keep the one you mean/)
  })

  test('colons and quotes inside strings are not mistaken for keys', () => {
    const text = JSON.stringify({ a: 'x: "y": z', b: '\\":', c: { 'd:e': ['"', ':'] }, 'f\\"': 1 })
    expect(check(text)).toBeUndefined()
  })

  test('an escaped colon (\\u003a) neither hides a duplicate nor invents one', () => {
    expect(check('{"a": "x\\u003ay", "b": "\\\\u003a"}')).toBeUndefined()
    expect(check('{"a": "x\\u003ay", "a": 1}')).toMatchObject({ problem: 'duplicate-key', path: '$' })
    // Its decoded colon would otherwise make up for the member the duplicate lost.
    expect(check('{"a": 1, "a": 2, "b": "\\u003A"}')).toMatchObject({ problem: 'duplicate-key', path: '$' })
  })

  test('a duplicate key deep inside an array is found', () => {
    expect(check('[1, {"a": [{"k": 1, "k": 2}]}]')).toMatchObject({ problem: 'duplicate-key', path: '$[1].a[0]' })
  })

  test('1e309 (beyond a double) is refused by path instead of replaying as null', () => {
    const error = formatError(cassetteText('{ "usage": { "total_tokens": 1e309 } }'))
    expect(error.problem).toBe('number-out-of-range')
    expect(error.path).toBe('$.interactions[0].response.body.json.usage.total_tokens')
    expect(error.message).toMatch(/Infinity.*written back as null/)
    expect(error.hint).toMatch(/Write it as a string/)
    expect(check('[-1e400]')).toMatchObject({ problem: 'number-out-of-range', path: '$[0]' })
  })

  test('10,000 levels of nesting are refused by path, not a stack overflow later', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000)
    const error = formatError(cassetteText(`{ "deep": ${deep} }`))
    expect(error.problem).toBe('too-deep')
    expect(error.path).toMatch(/^\$\.interactions\[0\]\.response\.body\.json\.deep(\[0\])+$/)
    expect(error.message).toContain(`deeper than ${MAX_CASSETTE_DEPTH} levels`)
  })

  test('nesting up to the limit is accepted', () => {
    const depth = MAX_CASSETTE_DEPTH
    expect(check('['.repeat(depth) + ']'.repeat(depth))).toBeUndefined()
    expect(check('['.repeat(depth + 1) + ']'.repeat(depth + 1))).toMatchObject({ problem: 'too-deep' })
  })

  test('values built in memory are checked without text: NaN and depth', () => {
    expect(checkJsonStructure({ a: [Number.NaN] })).toMatchObject({ problem: 'number-out-of-range', path: '$.a[0]' })
    let deep: unknown = 1
    for (let i = 0; i < 3_000; i++) deep = { a: deep }
    expect(checkJsonStructure(deep)).toMatchObject({ problem: 'too-deep' })
  })
})
