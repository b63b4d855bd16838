import { describe, expect, test } from 'vitest'
import { compareJson, numericSimilarity } from './compare-json.ts'

describe('compareJson', () => {
  test('key order does not matter', () => {
    expect(compareJson({ city: 'Paris', days: 3, opts: { a: 1, b: 2 } }, { opts: { b: 2, a: 1 }, days: 3, city: 'Paris' })).toEqual({ similarity: 1, reasons: [] })
  })

  test('a changed leaf is reported with its JSON path and both values', () => {
    const { reasons, similarity } = compareJson({ city: 'Paris', days: 3 }, { city: 'London', days: 3 }, { root: 'arguments' })
    expect(reasons).toEqual([
      expect.objectContaining({ layer: 'arguments', kind: 'argument-changed', path: '$.arguments.city', expected: 'Paris', received: 'London' }),
    ])
    expect(reasons[0]!.message).toBe('Arguments: $.arguments.city changed from "Paris" to "London".')
    expect(similarity).toBeCloseTo(0.5, 12)
  })

  test('added and removed keys, nested and in arrays', () => {
    const { reasons } = compareJson({ a: { b: 1 }, list: [1, 2, 3] }, { a: { b: 1, c: 'x' }, list: [1, 2] })
    expect(reasons.map((r) => [r.kind, r.path])).toEqual(
      expect.arrayContaining([
        ['argument-added', '$.a.c'],
        ['argument-removed', '$.list[2]'],
      ]),
    )
    expect(reasons.find((r) => r.kind === 'argument-removed')).toMatchObject({ expected: 3 })
  })

  test('numbers are compared relatively, within numberTolerance', () => {
    expect(compareJson({ amount: 100 }, { amount: 100.00000001 }).reasons).toEqual([])
    expect(compareJson({ amount: 100 }, { amount: 101 }).reasons).toEqual([expect.objectContaining({ kind: 'argument-changed', path: '$.amount' })])
    expect(compareJson({ amount: 100 }, { amount: 101 }, { numberTolerance: 0.01 }).reasons).toEqual([])
    expect(numericSimilarity(100, 101)).toBeCloseTo(1 - 1 / 201, 12)
    expect(numericSimilarity(0, 0)).toBe(1)
  })

  test('booleans, null and type changes are exact', () => {
    expect(compareJson({ a: true }, { a: false }).reasons).toHaveLength(1)
    expect(compareJson({ a: null }, { a: 0 }).reasons).toHaveLength(1)
    expect(compareJson({ a: '3' }, { a: 3 }).reasons).toHaveLength(1)
    expect(compareJson({ a: [1] }, { a: { 0: 1 } }).reasons).toHaveLength(1)
  })

  test('short strings match exactly after trim and case folding', () => {
    expect(compareJson({ city: 'Paris ' }, { city: 'paris' }).reasons).toEqual([])
    expect(compareJson({ date: '2025-05-01' }, { date: '2025-05-02' }).reasons).toHaveLength(1)
    // A near-identical short id is still a different id.
    expect(compareJson({ id: 'ORD-1234' }, { id: 'ORD-1235' }).reasons).toHaveLength(1)
  })

  test('long strings are compared as text, critical tokens included, at their path', () => {
    const a = { note: 'Please deliver the parcel to the front desk of the building before noon.' }
    const paraphrase = { note: 'Deliver the parcel to the building front desk before noon, please.' }
    expect(compareJson(a, paraphrase).reasons).toEqual([])
    const changed = { note: 'Please deliver the parcel to the front desk of the building before 11 am.' }
    expect(compareJson(a, changed).reasons).toEqual([expect.objectContaining({ kind: 'critical-token-changed', tokenKind: 'date', path: '$.note' })])
    expect(compareJson(a, paraphrase, { shortStringLength: 200 }).reasons).toHaveLength(1)
  })

  test('ignorePaths leave fields out', () => {
    const a = { city: 'Paris', requestId: 'r-1', meta: { at: 1 } }
    const b = { city: 'Paris', requestId: 'r-2', meta: { at: 2 } }
    expect(compareJson(a, b).reasons).toHaveLength(2)
    expect(compareJson(a, b, { ignorePaths: ['$.requestId', '$..at'] }).reasons).toEqual([])
  })

  test('setPaths compare arrays as multisets', () => {
    const a = { airlines: ['UA', 'DL'], stops: [1, 2] }
    const b = { airlines: ['DL', 'ua'], stops: [2, 1] }
    expect(compareJson(a, b).reasons.map((r) => r.path)).toEqual(['$.airlines[0]', '$.airlines[1]', '$.stops[0]', '$.stops[1]'])
    expect(compareJson(a, b, { setPaths: ['$.airlines', '$.stops'] }).reasons).toEqual([])
    const changed = compareJson(a, { airlines: ['DL', 'AA'], stops: [1, 2] }, { setPaths: ['$.airlines'] })
    expect(changed.reasons).toEqual([expect.objectContaining({ kind: 'argument-changed', path: '$.airlines', expected: ['UA', 'DL'], received: ['DL', 'AA'] })])
    expect(changed.reasons[0]!.message).toContain('(compared as a set) lost "UA" and gained "AA"')
    // The caller's values are not modified.
    expect(a).toEqual({ airlines: ['UA', 'DL'], stops: [1, 2] })
  })

  test('set paths apply inside arrays of objects, with wildcards', () => {
    const a = { items: [{ tags: ['a', 'b'] }, { tags: ['c'] }] }
    const b = { items: [{ tags: ['b', 'a'] }, { tags: ['d'] }] }
    const { reasons } = compareJson(a, b, { setPaths: ['$.items[*].tags'] })
    expect(reasons.map((r) => r.path)).toEqual(['$.items[1].tags'])
  })

  test('the result layer reports result-changed', () => {
    const { reasons } = compareJson({ total: 10 }, { total: 12, extra: true }, { root: 'result', layer: 'result' })
    expect(reasons.map((r) => [r.layer, r.kind, r.path])).toEqual([
      ['result', 'result-changed', '$.result.extra'],
      ['result', 'result-changed', '$.result.total'],
    ])
  })

  test('top-level scalars and mixed types', () => {
    expect(compareJson(1, 1)).toEqual({ similarity: 1, reasons: [] })
    expect(compareJson(1, 2).reasons).toEqual([expect.objectContaining({ path: '$', expected: 1, received: 2 })])
    expect(compareJson({ a: 1 }, [1]).reasons).toEqual([expect.objectContaining({ path: '$' })])
  })
})
