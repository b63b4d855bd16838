import { describe, expect, test } from 'vitest'
import { buildIdf, idfWeight, termCounts, tfidfCosine } from './tfidf.ts'
import { tokenize } from './tokenize.ts'

describe('tfidfCosine', () => {
  test('1 for the same words in any order, 0 for no shared word', () => {
    expect(tfidfCosine('sunny in Paris', 'Paris in sunny')).toBeCloseTo(1, 10)
    expect(tfidfCosine('sunny in Paris', 'flight to Tokyo')).toBe(0)
  })

  test('symmetric, and between 0 and 1', () => {
    const a = 'sunny in Paris today'
    const b = 'today it is sunny in Paris'
    expect(tfidfCosine(a, b)).toBeCloseTo(tfidfCosine(b, a), 12)
    expect(tfidfCosine(a, b)).toBeGreaterThan(0.5)
    expect(tfidfCosine(a, b)).toBeLessThan(1)
  })

  test('empty texts: equal when both are empty', () => {
    expect(tfidfCosine('', '')).toBe(1)
    expect(tfidfCosine('', 'word')).toBe(0)
  })

  test('accepts token lists', () => {
    expect(tfidfCosine(tokenize('a b'), ['a', 'b'])).toBeCloseTo(1, 10)
  })
})

describe('buildIdf', () => {
  test('counts documents per term, once per document', () => {
    const idf = buildIdf([['a', 'a', 'b'], ['a']])
    expect(idf.documents).toBe(2)
    expect(idf.documentFrequency.get('a')).toBe(2)
    expect(idf.documentFrequency.get('b')).toBe(1)
  })

  test('accepts term-count maps as documents', () => {
    expect(buildIdf([termCounts(['a', 'a', 'b']), termCounts(['a'])]).documentFrequency).toEqual(buildIdf([['a', 'a', 'b'], ['a']]).documentFrequency)
  })

  test('a rare term weighs more than a shared one, and no weight is zero', () => {
    const idf = buildIdf([['a'], ['a', 'b']])
    expect(idfWeight(idf, 'a')).toBe(1)
    expect(idfWeight(idf, 'b')).toBeCloseTo(Math.log(3 / 2) + 1, 12)
    expect(idfWeight(idf, 'unseen')).toBeCloseTo(Math.log(3) + 1, 12)
  })
})
