import { describe, expect, test } from 'vitest'
import { lcsLength, rougeL } from './rouge-l.ts'

/** The textbook O(n·m) table, as the reference. */
function naiveLcs<T>(a: readonly T[], b: readonly T[]): number {
  const row = new Array<number>(b.length + 1).fill(0)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : Math.max(row[j]!, row[j - 1]!)
      diagonal = above
    }
  }
  return row[b.length]!
}

/** Deterministic pseudo-random sequences (a linear congruential generator, no Math.random). */
function sequence(seed: number, length: number, alphabet: number): number[] {
  const out: number[] = []
  let state = seed
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    out.push((state >>> 16) % alphabet)
  }
  return out
}

describe('lcsLength (bit-parallel)', () => {
  test('small cases', () => {
    expect(lcsLength(['a', 'b', 'c', 'd'], ['a', 'c', 'd'])).toBe(3)
    expect(lcsLength([], ['a'])).toBe(0)
    expect(lcsLength(['a'], ['b'])).toBe(0)
    expect(lcsLength([1, 2, 3], [3, 2, 1])).toBe(1)
  })

  // Lengths around 32 and 64 exercise the carry between machine words.
  test.each([
    [1, 31, 33, 3],
    [2, 32, 32, 2],
    [3, 64, 65, 4],
    [4, 100, 250, 5],
    [5, 500, 480, 40],
    [6, 97, 3, 2],
  ])('matches the textbook table (seed %i, %i × %i, alphabet %i)', (seed, n, m, alphabet) => {
    const a = sequence(seed, n, alphabet)
    const b = sequence(seed * 7919, m, alphabet)
    expect(lcsLength(a, b)).toBe(naiveLcs(a, b))
    expect(lcsLength(b, a)).toBe(naiveLcs(a, b))
  })
})

describe('rougeL', () => {
  test('F1 of the LCS over both lengths', () => {
    // LCS 4 of lengths 4 and 5: P = 4/5, R = 1, F1 = 8/9.
    expect(rougeL('the refund was processed', 'the refund was not processed')).toBeCloseTo(8 / 9, 12)
    expect(rougeL('a b c', 'a b c')).toBe(1)
    expect(rougeL('a b c', 'x y z')).toBe(0)
    expect(rougeL('', '')).toBe(1)
  })

  test('rewards order, unlike a bag of words', () => {
    expect(rougeL('one two three four', 'four three two one')).toBeCloseTo(0.25, 12)
  })
})
