import { describe, expect, test } from 'vitest'
import { compareTexts, CRITICAL_TOKEN_CAP } from './compare-text.ts'
import { buildIdf } from './tfidf.ts'
import { tokenize } from './tokenize.ts'

const PARIS = 'The weather in Paris is sunny and 18 degrees.'

describe('compareTexts', () => {
  test('a paraphrase is equivalent', () => {
    const result = compareTexts(PARIS, 'In Paris it is sunny, 18 degrees.')
    expect(result.reasons).toEqual([])
    expect(result.similarity).toBeCloseTo(0.75, 2)
    expect(result.lexical).toBe(Math.max(result.tfidf, result.rougeL!))
  })

  test('identical or whitespace-only differences score 1', () => {
    expect(compareTexts(PARIS, PARIS).similarity).toBe(1)
    expect(compareTexts('a  b\r\nc ', 'a b\nc').similarity).toBe(1)
  })

  test('a changed number diverges whatever the similarity, naming the number', () => {
    const result = compareTexts(PARIS, 'The weather in Paris is sunny and 19 degrees.')
    expect(result.lexical).toBeGreaterThan(0.8)
    expect(result.similarity).toBe(CRITICAL_TOKEN_CAP)
    expect(result.reasons).toEqual([
      expect.objectContaining({ layer: 'text', kind: 'critical-token-changed', tokenKind: 'number', expected: '18', received: '19', message: expect.stringMatching(/number: 18 degrees → 19 degrees/) }),
    ])
  })

  test.each([
    ['date', 'The invoice is due on 2025-05-01.', 'The invoice is due on 2025-05-02.', '2025-05-01', '2025-05-02'],
    ['date', 'The invoice is due on May 1, 2025.', 'The invoice is due on May 2, 2025.', 'May 1, 2025', 'May 2, 2025'],
    ['url', 'Reset it at https://example.com/reset today.', 'Reset it at https://example.org/reset today.', 'https://example.com/reset', 'https://example.org/reset'],
    ['email', 'Write to support@example.com for help.', 'Write to sales@example.com for help.', 'support@example.com', 'sales@example.com'],
    ['id', 'Your order ORD-1234 has shipped.', 'Your order ORD-1243 has shipped.', 'ORD-1234', 'ORD-1243'],
    ['id', 'Transaction 3f9a2c71 was approved.', 'Transaction 3f9a2c72 was approved.', '3f9a2c71', '3f9a2c72'],
    ['quoted', 'Click the button labelled "Confirm order" to finish.', 'Click the button labelled "Cancel order" to finish.', '"Confirm order"', '"Cancel order"'],
  ] as const)('a changed %s diverges and is named: %s', (kind, a, b, expected, received) => {
    const [reason, ...rest] = compareTexts(a, b).reasons
    expect(rest).toEqual([])
    expect(reason).toMatchObject({ kind: 'critical-token-changed', tokenKind: kind, expected, received })
    expect(reason!.message).toContain(expected)
    expect(reason!.message).toContain(received)
  })

  test('a negation on one side only diverges', () => {
    const result = compareTexts('The refund was processed.', 'The refund was not processed.')
    expect(result.lexical).toBeGreaterThan(0.8)
    expect(result.reasons).toEqual([expect.objectContaining({ kind: 'negation-changed', expected: null, received: 'not' })])
    expect(compareTexts("The refund wasn't processed.", 'The refund was processed.').reasons[0]).toMatchObject({ kind: 'negation-changed', expected: "wasn't", received: null })
  })

  test('negations on both sides, spelt differently, are not a change', () => {
    expect(compareTexts("The refund wasn't processed.", 'The refund was not processed.').reasons).toEqual([])
  })

  test('totally different text diverges as text-dissimilar, the headline reason', () => {
    const result = compareTexts(PARIS, 'Your flight to Tokyo departs tomorrow morning.')
    expect(result.similarity).toBeLessThan(0.1)
    expect(result.reasons[0]).toMatchObject({ kind: 'text-dissimilar', expected: PARIS, received: 'Your flight to Tokyo departs tomorrow morning.' })
  })

  test('textThreshold per call changes the verdict', () => {
    const a = 'The total cost of your cart is $120, including shipping.'
    const b = 'Your cart comes to $120 in total, shipping included.'
    expect(compareTexts(a, b).reasons).toEqual([])
    expect(compareTexts(a, b, { textThreshold: 0.9 }).reasons).toEqual([expect.objectContaining({ kind: 'text-dissimilar' })])
  })

  test('criticalTokens: false or a list of kinds narrows the guard', () => {
    const a = 'Order ORD-1 costs 18 euros.'
    const b = 'Order ORD-2 costs 19 euros.'
    expect(compareTexts(a, b, { criticalTokens: false }).reasons).toEqual([])
    expect(compareTexts(a, b, { criticalTokens: ['id'] }).reasons.map((r) => r.tokenKind)).toEqual(['id'])
  })

  test('an embedding cosine blends in, and the guard still applies after it', () => {
    const a = 'could not find any results'
    const b = 'no matching records were found'
    const lexicalOnly = compareTexts(a, b, { criticalTokens: false })
    const blended = compareTexts(a, b, { criticalTokens: false, cosine: 0.9, embeddingFloor: 0.3, embeddingWeight: 0.5 })
    expect(blended.semantic).toBeCloseTo(0.6 / 0.7, 5)
    expect(blended.similarity).toBeCloseTo(0.5 * (0.6 / 0.7) + 0.5 * lexicalOnly.lexical, 5)
    expect(blended.similarity).toBeGreaterThan(lexicalOnly.similarity)
    const guarded = compareTexts('Your total is $42.50.', 'Your total is $45.20.', { cosine: 0.99 })
    expect(guarded.reasons).toEqual([expect.objectContaining({ kind: 'critical-token-changed', tokenKind: 'number' })])
  })

  test('past maxLcsTokens, ROUGE-L is skipped and TF-IDF cosine alone scores', () => {
    const result = compareTexts('one two three four five', 'five four three two one', { maxLcsTokens: 3 })
    expect(result.rougeL).toBeUndefined()
    expect(result.similarity).toBeCloseTo(1, 10)
    expect(compareTexts('one two three four five', 'five four three two one').rougeL).toBeCloseTo(0.2, 10)
  })

  test('a corpus IDF changes the weights', () => {
    const a = 'the agent booked the flight'
    const b = 'the agent cancelled the flight'
    // "agent" and "flight" appear in every document of this corpus, so they weigh little.
    const idf = buildIdf([tokenize(a), tokenize(b), tokenize('agent flight'), tokenize('agent flight again')])
    expect(compareTexts(a, b, { idf }).tfidf).toBeLessThan(compareTexts(a, b).tfidf)
  })
})
