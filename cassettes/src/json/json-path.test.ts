import { describe, expect, test } from 'vitest'
import { canonicalJson } from './canonical-json.ts'
import { formatJsonPath, omitJsonPaths, parseJsonPath, transformJsonPath } from './json-path.ts'
import type { JsonValue } from './json-value.ts'

describe('parseJsonPath', () => {
  test('reads dotted, indexed, wildcard and recursive forms', () => {
    expect(parseJsonPath('$.messages[*].content')).toEqual([{ kind: 'key', key: 'messages' }, { kind: 'any' }, { kind: 'key', key: 'content' }])
    expect(parseJsonPath("$.headers['x-api-key']")).toEqual([{ kind: 'key', key: 'headers' }, { kind: 'key', key: 'x-api-key' }])
    expect(parseJsonPath('$..id')).toEqual([{ kind: 'descend' }, { kind: 'key', key: 'id' }])
    expect(parseJsonPath('a.b[2]')).toEqual([{ kind: 'key', key: 'a' }, { kind: 'key', key: 'b' }, { kind: 'index', index: 2 }])
    expect(parseJsonPath('/a~1b/0')).toEqual([{ kind: 'key', key: 'a/b' }, { kind: 'index', index: 0 }])
  })

  test('a malformed path names the expression and the position', () => {
    expect(() => parseJsonPath('$.a[oops')).toThrow(/Cannot read JSON path "\$\.a\[oops" at character 3/)
  })
})

describe('omitJsonPaths', () => {
  test('removes selected values without touching the input', () => {
    const input: JsonValue = { a: 1, b: { id: 'x', c: [{ id: 'y', d: 2 }] } }
    expect(omitJsonPaths(input, ['$..id'])).toEqual({ a: 1, b: { c: [{ d: 2 }] } })
    expect(input).toEqual({ a: 1, b: { id: 'x', c: [{ id: 'y', d: 2 }] } })
  })

  test('removes every array element selected by a wildcard', () => {
    expect(omitJsonPaths({ list: [1, 2, 3] }, ['$.list[*]'])).toEqual({ list: [] })
  })
})

test('transformJsonPath replaces in place', () => {
  const value: JsonValue = { users: [{ email: 'a@b.c' }, { email: 'd@e.f' }] }
  transformJsonPath(value, parseJsonPath('$.users[*].email'), () => '[REDACTED]')
  expect(value).toEqual({ users: [{ email: '[REDACTED]' }, { email: '[REDACTED]' }] })
})

test('formatJsonPath quotes keys that are not identifiers', () => {
  expect(formatJsonPath(['interactions', 0, 'request', 'headers', 'x-api-key'])).toBe("$.interactions[0].request.headers['x-api-key']")
})

test('canonicalJson ignores key order at every depth', () => {
  expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(canonicalJson({ a: [{ c: 2, d: 1 }], b: 1 }))
  expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}')
  expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]))
})
