import { CRITICAL_TOKEN_KINDS, normalizeQuoted, type CriticalToken, type CriticalTokenChange, type CriticalTokenKind } from './critical-tokens.ts'
import { compareQuantities, type Quantity } from './quantities.ts'
import { findWordContrasts, type WordContrast } from './word-contrasts.ts'

/** Options of `diffCriticalTokens`. */
export interface DiffCriticalTokensOptions {
  /** Compare only these kinds (default: all). */
  kinds?: ReadonlySet<CriticalTokenKind>
  /** The texts the tokens came from: needed for opposites and actions, which compare words of both texts. */
  expectedText?: string
  receivedText?: string
}

const SET_KINDS = ['url', 'email', 'id', 'quoted'] as const
const WEEKEND = new Set(['period:weekend', 'weekday:6', 'weekday:0'])

/**
 * Compares the critical tokens of two texts kind by kind, as sets (repeating or reordering
 * a value is not a change):
 * - `number` and `unit`: quantities match when equal, also across units ("2 hours" = "120
 *   minutes") and spellings ("two" = "2"); the same number with another unit is a `unit` change;
 * - `date`: a "today" dropped on its own is not a change;
 * - `entity`: a name changes when each text has a name the other lacks ("Paris" → "Lyon"); a
 *   name dropped or added alone is not reported, nor "Acme Corp" vs "Acme Corporation";
 * - `opposite`, `action` (and lower-case names such as "green plan" → "blue plan") come from
 *   the two texts' words (`findWordContrasts`), so they need `expectedText` and `receivedText`;
 * - `negation` is compared as presence: a cue on one side only. An opposite explains a negation
 *   ("not open" = "closed"), so the two cancel.
 * A quoted value that the other text still contains unquoted is not a change.
 *
 * @example
 * import { extractCriticalTokens } from './critical-tokens.ts'
 * const changes = diffCriticalTokens(extractCriticalTokens('18 degrees'), extractCriticalTokens('19 degrees'))
 * changes.map((change) => [change.kind, change.missing.map((token) => token.value), change.added.map((token) => token.value)])
 * // → [['number', ['18'], ['19']]]
 */
export function diffCriticalTokens(expected: readonly CriticalToken[], received: readonly CriticalToken[], options: DiffCriticalTokensOptions = {}): CriticalTokenChange[] {
  const wants = (kind: CriticalTokenKind) => !options.kinds || options.kinds.has(kind)
  const kindsA = byKind(expected)
  const kindsB = byKind(received)
  const of = (tokens: readonly CriticalToken[], kind: CriticalTokenKind): CriticalToken[] => (tokens === expected ? kindsA : kindsB).get(kind) ?? []
  const changes: CriticalTokenChange[] = []

  if (wants('number') || wants('unit')) changes.push(...diffQuantities(of(expected, 'number'), of(received, 'number'), wants))
  if (wants('date')) {
    let [missing, added] = setDifference(of(expected, 'date'), of(received, 'date'))
    // "on weekends" = "on Saturdays and Sundays".
    for (const [one, other] of [[missing, added], [added, missing]] as const) {
      if (one.some((token) => token.value === 'period:weekend') && ['weekday:6', 'weekday:0'].every((day) => other.some((token) => token.value === day))) {
        missing = missing.filter((token) => !WEEKEND.has(token.value))
        added = added.filter((token) => !WEEKEND.has(token.value))
        break
      }
    }
    // "It is sunny today" and "It is sunny": "today" is often left unsaid.
    if (added.length === 0) missing = missing.filter((token) => token.value !== 'day:0')
    if (missing.length === 0) added = added.filter((token) => token.value !== 'day:0')
    if (missing.length || added.length) changes.push({ kind: 'date', missing, added })
  }
  for (const kind of SET_KINDS) {
    if (!wants(kind)) continue
    let [missing, added] = setDifference(of(expected, kind), of(received, kind))
    if (kind === 'quoted') {
      // Quoting is style: "the 'VIP' plan" and "the VIP plan" name the same thing.
      if (options.receivedText !== undefined) missing = missing.filter((token) => !normalizeQuoted(options.receivedText!).includes(token.value))
      if (options.expectedText !== undefined) added = added.filter((token) => !normalizeQuoted(options.expectedText!).includes(token.value))
    }
    if (missing.length || added.length) changes.push({ kind, missing, added })
  }

  const entities = wants('entity') ? diffNames(of(expected, 'entity'), of(received, 'entity'), options) : undefined
  const contrasts =
    options.expectedText !== undefined && options.receivedText !== undefined && (wants('opposite') || wants('action') || wants('entity'))
      ? findWordContrasts(options.expectedText, options.receivedText, wordsOfTokens([...expected, ...received]))
      : []
  const opposites = contrasts.filter((contrast) => contrast.kind === 'opposite')
  let negation: CriticalTokenChange | undefined
  if (wants('negation')) {
    // A cue that is itself one side of an opposite ("failed" ↔ "succeeded") is that opposite, not a negation.
    const inOpposite = new Set(opposites.flatMap((contrast) => [contrast.expected.toLowerCase(), contrast.received.toLowerCase()]))
    // "unread" negates beside "read"; "costs nothing" beside anything but "free"; "not … until" beside another "until".
    const cues = (tokens: readonly CriticalToken[], otherText: string | undefined) =>
      of(tokens, 'negation').filter(
        (token) =>
          !inOpposite.has(token.text.toLowerCase()) &&
          (!token.value.startsWith('un:') || mentions(otherText, token.value.slice(3))) &&
          (!token.value.startsWith('free:') || !/\bfree\b/i.test(otherText ?? '')) &&
          (token.value !== 'until:not' || /\b(?:until|till)\b/i.test(otherText ?? '')),
      )
    const a = cues(expected, options.receivedText)
    const b = cues(received, options.expectedText)
    if ((a.length === 0) !== (b.length === 0)) {
      // "is not open" = "is closed": a negation and an opposite cancel.
      if (opposites.length) opposites.shift()
      else negation = { kind: 'negation', missing: a, added: b }
    }
  }
  const fromContrasts = (kind: WordContrast['kind']) =>
    (kind === 'opposite' ? opposites : contrasts.filter((contrast) => contrast.kind === kind)).map((contrast) => ({
      missing: [{ kind, value: contrast.expected.toLowerCase(), text: contrast.expected }],
      added: [{ kind, value: contrast.received.toLowerCase(), text: contrast.received }],
    }))
  const entityChange = mergeChanges('entity', [...(entities ? [entities] : []), ...(wants('entity') ? fromContrasts('entity') : [])])
  if (entityChange) changes.push(entityChange)
  for (const kind of ['opposite', 'action'] as const) {
    const change = wants(kind) ? mergeChanges(kind, fromContrasts(kind)) : undefined
    if (change) changes.push(change)
  }
  if (negation) changes.push(negation)
  return changes.sort((x, y) => CRITICAL_TOKEN_KINDS.indexOf(x.kind) - CRITICAL_TOKEN_KINDS.indexOf(y.kind))
}

const TOKEN_WORD = /[\p{L}]+/gu
const LETTER = /\p{L}/u

/** The tokens of each kind, in order. */
function byKind(tokens: readonly CriticalToken[]): Map<CriticalTokenKind, CriticalToken[]> {
  return Map.groupBy(tokens, (token) => token.kind)
}

/** Lower-case words inside the tokens of other kinds ("Paris", "Tuesday", "two", "report" of report.pdf): not compared again as words. */
function wordsOfTokens(tokens: readonly CriticalToken[]): Set<string> {
  const words = new Set<string>()
  for (const token of tokens) {
    // Negation cues may be one side of an opposite ("failed"); proper names are paired at a
    // sentence start ("Maria" / "Daniel"). File names and paths are done.
    if (token.kind === 'negation' || (token.kind === 'entity' && !/[./\\]/.test(token.text))) continue
    const written = token.quantity?.written ?? token.text
    // Most numbers are digits alone.
    if (LETTER.test(written)) for (const word of written.toLowerCase().match(TOKEN_WORD) ?? []) words.add(word)
  }
  return words
}

function setDifference(a: readonly CriticalToken[], b: readonly CriticalToken[]): [CriticalToken[], CriticalToken[]] {
  const valuesA = new Set(a.map((token) => token.value))
  const valuesB = new Set(b.map((token) => token.value))
  return [uniqueByValue(a.filter((token) => !valuesB.has(token.value))), uniqueByValue(b.filter((token) => !valuesA.has(token.value)))]
}

const NO_UNITS: readonly [] = []
const quantityOf = (token: CriticalToken): Quantity => token.quantity ?? { value: token.value, units: NO_UNITS, unitText: undefined, written: token.text }

function diffQuantities(a: readonly CriticalToken[], b: readonly CriticalToken[], wants: (kind: CriticalTokenKind) => boolean): CriticalTokenChange[] {
  const quantities = new Map<CriticalToken, Quantity>()
  for (const token of [...a, ...b]) quantities.set(token, quantityOf(token))
  const same = (x: CriticalToken, y: CriticalToken) => compareQuantities(quantities.get(x)!, quantities.get(y)!) === 'same'
  // Two different values say the same only in two units that convert ("2 hours", "120 minutes"):
  // other quantities are looked for among the equal values alone.
  const converts = (token: CriticalToken) => quantities.get(token)!.units.some((unit) => unit.factor !== undefined)
  const inOther = (x: CriticalToken, others: readonly CriticalToken[], byValue: ReadonlyMap<string, CriticalToken[]>) =>
    (byValue.get(x.value) ?? NO_UNITS).some((y) => same(x, y)) || (converts(x) && others.some((y) => y.value !== x.value && converts(y) && same(x, y)))
  const valuesA = Map.groupBy(a, (token) => token.value)
  const valuesB = Map.groupBy(b, (token) => token.value)
  const onlyA = a.filter((x) => !inOther(x, b, valuesB))
  let onlyB = b.filter((y) => !inOther(y, a, valuesA))
  const unit: CriticalTokenChange = { kind: 'unit', missing: [], added: [] }
  const number: CriticalTokenChange = { kind: 'number', missing: [], added: [] }
  for (const x of onlyA) {
    const y = onlyB.find((other) => compareQuantities(quantityOf(x), quantityOf(other)) === 'unit')
    if (y) {
      unit.missing.push(x)
      unit.added.push(y)
      onlyB = onlyB.filter((other) => other !== y)
    } else number.missing.push(x)
  }
  number.added.push(...onlyB)
  number.missing = uniqueByValue(number.missing)
  number.added = uniqueByValue(number.added)
  return [number, unit].filter((change) => wants(change.kind) && (change.missing.length || change.added.length))
}

/**
 * Names each text has and the other lacks, reported only when both texts have one (a name
 * replaced, not dropped). A name is also found in the other text as plain words ("Ohio" in
 * "our Ohio warehouse"), and one name's words within another's ("Sarah Chen" / "Chen") match.
 */
function diffNames(a: readonly CriticalToken[], b: readonly CriticalToken[], options: DiffCriticalTokensOptions): CriticalTokenChange | undefined {
  const textA = (options.expectedText ?? '').toLowerCase().replace(/’/g, "'")
  const textB = (options.receivedText ?? '').toLowerCase().replace(/’/g, "'")
  const wordsOf = (names: readonly CriticalToken[]) => uniqueByValue([...names]).map((name) => ({ name, words: name.value.split(' ') }))
  const namesA = wordsOf(a)
  const namesB = wordsOf(b)
  const valuesA = new Set(a.map((name) => name.value))
  const valuesB = new Set(b.map((name) => name.value))
  const matched = (name: { name: CriticalToken; words: string[] }, values: ReadonlySet<string>, others: ReadonlyArray<{ words: string[] }>, otherText: string) =>
    values.has(name.name.value) || others.some((other) => sameName(name.words, other.words)) || containsPhrase(otherText, name.name.value)
  const onlyA = namesA.filter((name) => !matched(name, valuesB, namesB, textB)).map((name) => name.name)
  const onlyB = namesB.filter((name) => !matched(name, valuesA, namesA, textA)).map((name) => name.name)
  const missing = onlyA
  const added = onlyB
  if (missing.length === 0 || added.length === 0) return undefined
  return { kind: 'entity', missing, added }
}

/** Whether a text has a word, in any inflection ("read" in "haven't read"; "paid" in "pay"). */
function mentions(text: string | undefined, word: string): boolean {
  if (text === undefined) return false
  const stem = word.replace(/(?:ed|d|ing|s)$/, '')
  return new RegExp(`\\b${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i').test(text)
}

/** One name's words all within the other's ("Sarah Chen" / "Chen"), or one the other's initials ("NYC" / "New York City"). */
function sameName(x: readonly string[], y: readonly string[]): boolean {
  const [small, large] = x.length <= y.length ? [x, y] : [y, x]
  if (small.length === 1 && large.length > 1 && small[0] === large.map((word) => word[0]).join('')) return true
  return small.every((word) => large.includes(word))
}

function containsPhrase(text: string, phrase: string): boolean {
  let from = 0
  for (let at = text.indexOf(phrase, from); at >= 0; at = text.indexOf(phrase, from)) {
    const before = at === 0 ? '' : text[at - 1]!
    const after = text[at + phrase.length] ?? ''
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true
    from = at + 1
  }
  return false
}

function mergeChanges(kind: CriticalTokenKind, parts: ReadonlyArray<Omit<CriticalTokenChange, 'kind'>>): CriticalTokenChange | undefined {
  if (parts.length === 0) return undefined
  return { kind, missing: uniqueByValue(parts.flatMap((part) => part.missing)), added: uniqueByValue(parts.flatMap((part) => part.added)) }
}

function uniqueByValue(tokens: CriticalToken[]): CriticalToken[] {
  const seen = new Set<string>()
  return tokens.filter((token) => {
    if (seen.has(token.value)) return false
    seen.add(token.value)
    return true
  })
}
