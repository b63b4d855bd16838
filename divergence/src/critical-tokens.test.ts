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

  test('"not … until" says when, not whether; "costs nothing" and "no fee" state a price of zero', () => {
    expect(values("The shop doesn't open until 9 am. It is not open now.", 'negation')).toEqual(['negation:not', 'negation:until:not'])
    expect(values('It will not ship till Monday.', 'negation')).toEqual(['negation:until:not'])
    expect(values('It costs nothing, at no cost, with no fee. There is nothing else.', 'negation')).toEqual(['negation:free:nothing', 'negation:free:no', 'negation:free:no', 'negation:nothing'])
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

describe('extractCriticalTokens: units, number words, date words, names', () => {
  const quantities = (text: string) =>
    extractCriticalTokens(text)
      .filter((token) => token.kind === 'number')
      .map((token) => `${token.value}${token.quantity ? ` ${token.quantity.units.map((unit) => unit.id).find((id) => ['USD', 'EUR', 'GBP', 'JPY'].includes(id)) ?? token.quantity.units[0]!.id}` : ''}`)

  test('numbers keep the unit or currency written beside them', () => {
    expect(quantities('21°C, 2.5 kg, 50 GB, 30 minutes, 120 km/h, 15%, 12-kilometre, 180 degrees Fahrenheit')).toEqual([
      '21 celsius',
      '2.5 kilogram',
      '50 gigabyte',
      '30 minute',
      '120 kilometer-per-hour',
      '15 percent',
      '12 kilometer',
      '180 fahrenheit',
    ])
    expect(quantities('€1,250, $1,250, £120, 45 USD, USD 300, 1,250 euros')).toEqual(['1250 EUR', '1250 USD', '120 GBP', '45 USD', '300 USD', '1250 EUR'])
  })

  test('number words are numbers; "one" as a pronoun is not', () => {
    expect(quantities('Two rooms, twenty-five guests, a dozen eggs, two hundred dollars, half an hour')).toEqual(['2', '25', '12', '200 USD', '0.5 hour'])
    expect(quantities('one at 7:05 and one at 9:30; the first one; one of them')).toEqual([])
    expect(quantities('The flight has one stop.')).toEqual(['1'])
  })

  test('weekdays, months, relative days, parts of the day, quarters', () => {
    expect(values('on Tuesday or Tue, in March, in May, tomorrow morning, next week, Q3 and the third quarter', 'date')).toEqual([
      'date:weekday:2',
      'date:weekday:2',
      'date:month:3',
      'date:month:5',
      'date:day:+1',
      'date:part:morning',
      'date:period:next:week',
      'date:quarter:3',
      'date:quarter:3',
    ])
    // "May I help?" is not a month; "2:15 in the afternoon" is 14:15; noon is 12:00.
    expect(values('May I help? At 2:15 in the afternoon or at noon.', 'date')).toEqual(['date:14:15', 'date:12:00'])
  })

  test('names: proper nouns, file and folder names; a sentence-initial common word is not one', () => {
    expect(values('Sure! Send report.pdf from /var/log/app to Sarah Chen at Acme Corp, or via DHL to Bank of America.', 'entity')).toEqual([
      'entity:/var/log/app',
      'entity:report.pdf',
      'entity:sarah chen',
      'entity:acme',
      'entity:dhl',
      'entity:bank of america',
    ])
    expect(values('Canberra is the capital. Unfortunately, I could not find it.', 'entity')).toEqual(['entity:canberra'])
  })

  test('a negated adjective ("unread") is a negation cue', () => {
    expect(values('3 unread messages', 'negation')).toEqual(['negation:un:read'])
    expect(values('the union, unique and universal', 'negation')).toEqual([])
  })
})

describe('diffCriticalTokens: new kinds', () => {
  const kinds = (a: string, b: string) => diffCriticalTokens(extractCriticalTokens(a), extractCriticalTokens(b), { expectedText: a, receivedText: b })

  test('the same number in another unit is a unit change; equal amounts in two units are not a change', () => {
    expect(kinds('It is 21°C.', 'It is 21°F.').map((change) => change.kind)).toEqual(['unit'])
    expect(kinds('The meeting lasts 2 hours.', 'The meeting lasts 120 minutes.')).toEqual([])
    expect(kinds('Two rooms are free.', '2 rooms are free.')).toEqual([])
    expect(kinds('It is 21°C.', 'It is 21 degrees.')).toEqual([])
  })

  test('a name replaced is an entity change; a name with a corporate suffix or a surname added is not', () => {
    expect(kinds('Your invoice from Acme Corp.', 'Your invoice from Globex.')).toEqual([expect.objectContaining({ kind: 'entity' })])
    expect(kinds('Your invoice from Acme Corp.', 'The invoice from Acme Corporation.')).toEqual([])
    expect(kinds('Call Sarah.', 'Call Sarah Chen.')).toEqual([])
    expect(kinds('The event is in New York City.', 'The event takes place in NYC.')).toEqual([])
  })

  test('"on weekends" is Saturdays and Sundays; "half past two" is 2:30', () => {
    expect(kinds("We don't ship on weekends.", "Shipping isn't available on Saturdays and Sundays.")).toEqual([])
    expect(kinds('The meeting is at half past two.', 'The meeting is at 2:30.')).toEqual([])
    expect(kinds('The meeting is at quarter to five.', 'The meeting is at 5:15.').map((change) => change.kind)).toEqual(['date'])
  })

  test('opposites, actions and lower-case names come from the words of both texts', () => {
    expect(kinds('The store is open.', 'The store is closed.')).toEqual([expect.objectContaining({ kind: 'opposite' })])
    expect(kinds('I archived the report.', 'I deleted the report.')).toEqual([expect.objectContaining({ kind: 'action' })])
    expect(kinds('You are on the green plan.', 'You are on the blue plan.')).toEqual([expect.objectContaining({ kind: 'entity' })])
    // Without the texts only token kinds compare.
    expect(diffCriticalTokens(extractCriticalTokens('The store is open.'), extractCriticalTokens('The store is closed.'))).toEqual([])
  })

  test('an opposite and a negation cancel; a cue that is itself the opposite is no negation', () => {
    expect(kinds('The store is closed on Sundays.', 'On Sundays the store is not open.')).toEqual([])
    expect(kinds('The deployment failed.', 'The deployment did not succeed.')).toEqual([])
    expect(kinds('The deployment succeeded.', 'The deployment failed.').map((change) => change.kind)).toEqual(['opposite'])
  })
})
