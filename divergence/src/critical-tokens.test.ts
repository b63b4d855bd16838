import { describe, expect, test } from 'vitest'
import { diffCriticalTokens } from './critical-token-diff.ts'
import { extractCriticalTokens, type CriticalTokenKind } from './critical-tokens.ts'

const values = (text: string, kind?: CriticalTokenKind) =>
  extractCriticalTokens(text)
    .filter((token) => kind === undefined || token.kind === kind)
    .map((token) => `${token.kind}:${token.value}`)

describe('extractCriticalTokens', () => {
  test('numbers, normalised so paraphrases agree', () => {
    expect(values('It costs $1,250.00, or 1250 in total; 42.50 vs 42.5; -5 degrees', 'number')).toEqual([
      'number:1250',
      'number:1250',
      'number:42.5',
      'number:42.5',
      'number:-5',
    ])
    expect(values('18km, the 3rd one, 5GB, 10-15 days', 'number')).toEqual(['number:18', 'number:3', 'number:5', 'number:10', 'number:15'])
    // Leading zeros are part of a code.
    expect(values('agent 007', 'number')).toEqual(['number:007'])
  })

  test('dates in ISO and common formats, normalised to ISO where unambiguous', () => {
    expect(values('2025-05-02, May 2, 2025, 2 May 2025, the 2nd of May 2025', 'date')).toEqual([
      'date:2025-05-02',
      'date:2025-05-02',
      'date:2025-05-02',
      'date:2025-05-02',
    ])
    expect(values('on March 3 or March 2024', 'date')).toEqual(['date:--03-03', 'date:2024-03'])
    expect(values('2025-05-02T10:00:00Z', 'date')).toEqual(['date:2025-05-02T10:00:00Z'])
    expect(values('05/06/2025 and 5/6/25', 'date')).toEqual(['date:5/6/2025', 'date:5/6/2025'])
    expect(values('at 3 pm, 15:00 or 9:40', 'date')).toEqual(['date:15:00', 'date:15:00', 'date:09:40'])
  })

  test('URLs and emails, with case-insensitive parts folded', () => {
    expect(values('See https://Example.com/Docs/ and mail Bob@Example.com.')).toEqual(['url:https://example.com/Docs', 'email:bob@example.com'])
  })

  test('id-like tokens: prefixed ids, hex, UUIDs, versions', () => {
    expect(values('ORD-1234, a3f9c2e1, 123e4567-e89b-12d3-a456-426614174000, v1.2.3, A320', 'id')).toEqual([
      'id:ord-1234',
      'id:a3f9c2e1',
      'id:123e4567-e89b-12d3-a456-426614174000',
      'id:v1.2.3',
      'id:a320',
    ])
  })

  test('quoted strings, without mistaking apostrophes for quotes', () => {
    expect(values(`Pick "Gold", the 'VIP' plan or \`npm ci\`; don't use Paris' best`, 'quoted')).toEqual(['quoted:gold', 'quoted:vip', 'quoted:npm ci'])
  })

  test('negation cues, contractions included', () => {
    expect(values("not, no, never, wasn't, can’t, cannot, failed, unable", 'negation')).toEqual([
      'negation:not',
      'negation:no',
      'negation:never',
      'negation:not',
      'negation:failed',
      'negation:unable',
      'negation:not',
      'negation:not',
    ])
    expect(values('note, know, nothingness', 'negation')).toEqual([])
  })

  test('each span has one kind: a date is not also numbers, a URL not also an id', () => {
    expect(values('2025-05-02 https://a.io/x/42')).toEqual(['url:https://a.io/x/42', 'date:2025-05-02'])
  })

  test('list markers are layout, not numbers', () => {
    expect(values('1. Book the flight\n2. Pay 18 euros', 'number')).toEqual(['number:18'])
  })
})

describe('diffCriticalTokens', () => {
  const diff = (a: string, b: string) => diffCriticalTokens(extractCriticalTokens(a), extractCriticalTokens(b), { expectedText: a, receivedText: b })

  test('compares values as sets: repetition and order do not count', () => {
    expect(diff('18 then 20, 18 again', '20 and 18')).toEqual([])
  })

  test('reports what is missing and what is new, per kind', () => {
    expect(diff('18 degrees on 2025-05-02', '19 degrees on 2025-05-02')).toEqual([
      {
        kind: 'number',
        missing: [expect.objectContaining({ kind: 'number', value: '18', text: '18' })],
        added: [expect.objectContaining({ kind: 'number', value: '19', text: '19' })],
      },
    ])
  })

  test('negation is compared as presence', () => {
    expect(diff('was not processed', 'was never processed')).toEqual([])
    expect(diff('was processed', 'was not processed')).toEqual([{ kind: 'negation', missing: [], added: [{ kind: 'negation', value: 'not', text: 'not' }] }])
  })

  test('a quoted value the other text still contains unquoted is not a change', () => {
    expect(diff('Choose the "Premium" plan.', 'Choose the Premium plan.')).toEqual([])
    expect(diff('Choose the "Premium" plan.', 'Choose the Basic plan.')).toHaveLength(1)
  })

  test('kinds narrow the comparison', () => {
    const a = extractCriticalTokens('ORD-1 costs 18')
    const b = extractCriticalTokens('ORD-2 costs 19')
    expect(diffCriticalTokens(a, b, { kinds: new Set(['number']) }).map((change) => change.kind)).toEqual(['number'])
  })
})
