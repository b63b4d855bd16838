import { describe, expect, test } from 'vitest'
import { jsonDepthExceeds, MAX_STORED_JSON_DEPTH } from './json-depth.ts'

const nested = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown

describe('jsonDepthExceeds', () => {
  test('counts containers: a scalar is 0 deep, [] is 1', () => {
    expect(jsonDepthExceeds('text', 0)).toBe(false)
    expect(jsonDepthExceeds([], 0)).toBe(true)
    expect(jsonDepthExceeds({ a: { b: 1 } }, 2)).toBe(false)
    expect(jsonDepthExceeds({ a: { b: {} } }, 2)).toBe(true)
  })

  test(`the stored limit is ${MAX_STORED_JSON_DEPTH} levels, and any depth is answered without a stack overflow`, () => {
    expect(jsonDepthExceeds(nested(MAX_STORED_JSON_DEPTH))).toBe(false)
    expect(jsonDepthExceeds(nested(MAX_STORED_JSON_DEPTH + 1))).toBe(true)
    expect(jsonDepthExceeds(nested(100_000))).toBe(true)
  })

  test('limits beyond what recursion can take are checked too', () => {
    expect(jsonDepthExceeds(nested(20_000), 20_000)).toBe(false)
    expect(jsonDepthExceeds(nested(20_001), 20_000)).toBe(true)
  })
})
