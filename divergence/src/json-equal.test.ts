import { expect, test } from 'vitest'
import { jsonEqual } from './json-equal.ts'

test('jsonEqual ignores key order at every depth, not array order', () => {
  expect(jsonEqual({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(true)
  expect(jsonEqual([1, 2], [2, 1])).toBe(false)
  expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false)
  expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false)
  expect(jsonEqual({ a: [] }, { a: {} })).toBe(false)
  expect(jsonEqual(null, {})).toBe(false)
  expect(jsonEqual('1', 1)).toBe(false)
  expect(jsonEqual(undefined, undefined)).toBe(true)
})
