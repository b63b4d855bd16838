import { describe, expect, test } from 'vitest'
import { compareTexts, CONCEPT_CAP, CRITICAL_TOKEN_CAP } from './compare-text.ts'
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

describe('compareTexts: the meaning changes of issue 14', () => {
  test.each([
    ['entity', 'The weather in Paris is sunny today.', 'The weather in Lyon is sunny today.', 'entity: Paris → Lyon'],
    ['entity', 'Your parcel will be delivered by DHL.', 'Your parcel will be delivered by FedEx.', 'entity: DHL → FedEx'],
    ['entity', 'You are on the green plan.', 'You are on the blue plan.', 'entity: green plan → blue plan'],
    ['entity', 'I saved it to report.pdf.', 'I saved it to summary.pdf.', 'entity: report.pdf → summary.pdf'],
    ['unit', 'It is 21°C in Paris.', 'It is 21°F in Paris.', 'unit: °C → °F (21°C → 21°F)'],
    ['unit', 'The total is €1,250.', 'The total is $1,250.', 'unit: € → $ (€1,250 → $1,250)'],
    ['unit', 'The delivery takes 30 minutes.', 'The delivery takes 30 hours.', 'unit: minutes → hours (30 minutes → 30 hours)'],
    ['opposite', 'Your loan application was approved.', 'Your loan application was rejected.', 'opposite: approved → rejected'],
    ['opposite', 'The weather in Paris is sunny.', 'The weather in Paris is rainy.', 'opposite: sunny → rainy'],
    ['opposite', 'The statement is true.', 'The statement is false.', 'opposite: true → false'],
    ['action', 'I archived the old report.', 'I deleted the old report.', 'action: archived → deleted'],
    ['action', 'I will email the invoice to you.', 'I will print the invoice for you.', 'action: email → print'],
    ['date', 'Your appointment is on Tuesday.', 'Your appointment is on Thursday.', 'date: Tuesday → Thursday'],
    ['number', 'The room sleeps two adults.', 'The room sleeps three adults.', 'number: two → three'],
  ] as const)('a changed %s diverges, naming the kind and both values: %s', (kind, a, b, message) => {
    const result = compareTexts(a, b)
    expect(result.similarity).toBeLessThanOrEqual(CRITICAL_TOKEN_CAP)
    expect(result.reasons).toEqual([expect.objectContaining({ kind: 'critical-token-changed', tokenKind: kind, message: expect.stringContaining(message) })])
  })

  test.each([
    ['Two rooms are available for your dates.', '2 rooms are available for your dates.'],
    ['It is 21°C in Paris right now.', 'Right now it is 21 degrees Celsius in Paris.'],
    ['The total is €1,250.', 'The total comes to 1,250 euros.'],
    ['The meeting will last 2 hours.', 'The meeting is scheduled to take 120 minutes.'],
    ['The store is closed on Sundays.', 'On Sundays the store is not open.'],
    ['The new version is faster than the old one.', 'The old version is slower than the new one.'],
    ['Your invoice from Acme Corp is attached.', "I've attached the invoice from Acme Corporation."],
    ['Prices will rise next month.', 'Next month prices are going to go up.'],
    ['The document describes the onboarding process, including account setup.', 'The document explains the onboarding process, covering account setup.'],
  ])('a paraphrase stays equivalent: %s', (a, b) => {
    expect(compareTexts(a, b).reasons).toEqual([])
  })

  test('short rewordings are measured by shared concepts, capped so a strict threshold still asks for close wording', () => {
    const result = compareTexts('Prices will rise next month.', 'Next month prices are going to go up.')
    expect(Math.max(result.tfidf, result.rougeL!)).toBeLessThan(0.4)
    expect(result.concepts).toBeGreaterThanOrEqual(0.4)
    expect(result.lexical).toBe(Math.min(result.concepts!, CONCEPT_CAP))
    expect(compareTexts('Prices will rise next month.', 'Next month prices are going to go up.', { textThreshold: 0.8 }).reasons).toEqual([expect.objectContaining({ kind: 'text-dissimilar' })])
  })
})

describe('compareTexts: rewordings that keep the meaning (round 2)', () => {
  test.each([
    // Where a thing is, said two ways: a passive of keeping, or "you can find / see it" there.
    ['Your invoices are stored in the Billing folder.', 'You can find your invoices in the Billing folder.'],
    ['The backups are kept under /srv/backups.', "You'll see the backups under /srv/backups."],
    // The same exchange seen from its other side, the roles swapped.
    ['I sold the car to Maria.', 'Maria bought the car from me.'],
    ['We sent the contract to Acme yesterday.', 'Acme received the contract from us yesterday.'],
    // A verb said as a support verb and the noun made from it.
    ["I'll notify you when it ships.", "I'll send you a notification when it ships."],
    ['The manager will decide on Friday.', 'The manager will make a decision on Friday.'],
    // "not … until" says when, not whether.
    ['The shop opens at 9 am.', "The shop doesn't open until 9 am."],
    ['You will be charged on Friday.', "You won't be charged until Friday."],
    // Costing nothing is being free.
    ['The upgrade is free.', 'The upgrade costs nothing.'],
    ['Delivery is free for members.', 'Members get delivery at no cost.'],
    // A phrase WordNet knows as one concept ("in stock" is similar to "available").
    ['The blue jacket is in stock.', 'The blue jacket is available.'],
    ['The jacket is out of stock.', 'That jacket is currently unavailable.'],
  ])('equivalent: %s / %s', (a, b) => {
    expect(compareTexts(a, b).reasons).toEqual([])
  })

  test.each([
    ['You can view the report in the dashboard.', 'You can delete the report in the dashboard.', 'action'],
    // Two means of one message: a verb named after its noun names the means.
    ['I called the landlord about the leak.', 'I emailed the landlord about the leak.', 'action'],
    ['I faxed the form to the bank.', 'I emailed the form to the bank.', 'action'],
    ['I sold the car to Maria.', 'I bought the car from Maria.', 'opposite'],
    ["I'll notify you when it ships.", "I'll send you an invoice when it ships.", 'action'],
    ['The shop opens at 9 am.', "The shop doesn't open at 9 am.", 'negation'],
    ['You can cancel until the order ships.', "You can't cancel until the order ships.", 'negation'],
    // Swapped roles with a verb that gets nothing are two events.
    ['I sent the report to John.', 'John rejected the report from me.', 'action'],
    ['The upgrade costs nothing.', 'The upgrade costs $10.', 'number'],
    ['There is a fee for delivery.', 'There is no fee for delivery.', 'negation'],
    ['The upgrade is free.', 'The upgrade is not free.', 'negation'],
  ])('still a change: %s / %s (%s)', (a, b, kind) => {
    const reasons = compareTexts(a, b).reasons
    expect(reasons.length).toBeGreaterThan(0)
    expect(reasons.map((reason) => (reason.kind === 'negation-changed' ? 'negation' : reason.tokenKind))).toContain(kind)
  })
})
