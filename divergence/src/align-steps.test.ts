import { describe, expect, test } from 'vitest'
import { alignSteps } from './align-steps.ts'

const same = (x: string, y: string) => (x === y ? 0 : 1)

describe('alignSteps', () => {
  test('a missing step is a deletion, the rest pair up', () => {
    const alignment = alignSteps(['search', 'book', 'reply'], ['search', 'reply'], same)
    expect(alignment.pairs).toEqual([
      { op: 'match', a: 0, b: 0, cost: 0 },
      { op: 'delete', a: 1, cost: 1 },
      { op: 'match', a: 2, b: 1, cost: 0 },
    ])
    expect(alignment.cost).toBe(1)
    expect(alignment.distance).toBeCloseTo(1 / 3, 12)
  })

  test('an extra step is an insertion', () => {
    expect(alignSteps(['search', 'reply'], ['search', 'search', 'reply'], same).pairs.map((p) => p.op)).toEqual(['match', 'insert', 'match'])
  })

  test('substitution costs the step distance and is preferred on ties', () => {
    const alignment = alignSteps(['a', 'b'], ['b', 'c'], same)
    // delete a + match b + insert c also costs 2: pairing wins the tie.
    expect(alignment.pairs.map((p) => p.op)).toEqual(['substitute', 'substitute'])
    const partial = alignSteps(['a'], ['a2'], () => 0.3)
    expect(partial.pairs).toEqual([{ op: 'substitute', a: 0, b: 0, cost: 0.3 }])
    expect(alignSteps(['a'], ['a2'], () => 0.3, { epsilon: 0.5 }).pairs[0]!.op).toBe('match')
  })

  test('empty sequences', () => {
    expect(alignSteps([], [], same)).toEqual({ pairs: [], cost: 0, distance: 0 })
    expect(alignSteps([], ['x'], same).pairs).toEqual([{ op: 'insert', b: 0, cost: 1 }])
  })
})
