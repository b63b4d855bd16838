import { z } from 'zod'
import { findCalendarWords } from './calendar-words.ts'
import { findNames } from './names.ts'
import { baseForms } from './lexicon/lemmas.ts'
import { NUMBER_WORD_PATTERN, numberWordsValue, unitsNamed, type Quantity, type UnitInfo } from './quantities.ts'

/**
 * Kinds of tokens whose change flips an agent's meaning while barely moving a similarity
 * score: "$42.50" → "$45.20" keeps 0.98 embedding cosine, "processed" → "not processed" 0.87.
 */
export const CriticalTokenKindSchema = z.enum(['number', 'unit', 'date', 'url', 'email', 'id', 'quoted', 'entity', 'opposite', 'action', 'negation'])
export type CriticalTokenKind = z.infer<typeof CriticalTokenKindSchema>

/** Every kind, in the order reasons report them. */
export const CRITICAL_TOKEN_KINDS: readonly CriticalTokenKind[] = CriticalTokenKindSchema.options

/** A token the guard compares: `value` is normalised (so "1,000" equals "1000"), `text` is as written. */
export interface CriticalToken {
  kind: CriticalTokenKind
  value: string
  text: string
  /** For a number: its unit or currency, when one is written beside it ("21°C", "$5", "two hours"). */
  quantity?: Quantity
}

/** Critical tokens of one kind found on one side only. */
export interface CriticalTokenChange {
  kind: CriticalTokenKind
  /** In the expected (golden) text only. */
  missing: CriticalToken[]
  /** In the received (candidate) text only. */
  added: CriticalToken[]
}

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'`)\]}]+/gi
const EMAIL_PATTERN = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g
// Single quotes count only around a whole phrase ('VIP'), never as an apostrophe (don't, Paris').
const QUOTED_PATTERN = /"([^"\n]{1,200})"|“([^”\n]{1,200})”|`([^`\n]{1,200})`|(?<![\p{L}\p{N}])['‘]([^'‘’\n]{1,200})['’](?![\p{L}\p{N}])/gu
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?\b/g
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?'
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?'
const YEAR = '(\\d{4})'
// "May 5, 2024", "5th of May 2024", "May 2024": three shapes of one date.
const NAMED_DATE = new RegExp(
  `\\b(?:${MONTH}\\s+${DAY}(?:,?\\s+${YEAR})?|${DAY}\\s+(?:of\\s+)?${MONTH}(?:,?\\s+${YEAR})?|${MONTH},?\\s+${YEAR})\\b`,
  'gi',
)
const NUMERIC_DATE = /\b(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})\b/g
// "9:40", "3 pm", "2:15 in the afternoon", "noon", "9 in the morning".
const CLOCK_TIME =
  /\b(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\b\.?)?(?:\s+(in the (?:morning|afternoon|evening)|at night))?|\b(\d{1,2})\s*([ap])\.?m\b\.?|\b(noon|midday|midnight)\b|\b(\d{1,2})(?:\s*o['’]clock)?\s+(in the (?:morning|afternoon|evening)|at night)/gi
// `.`, `,`, `-`, `_`, `/`, `#`, `:` join the parts of a word holding a digit ("ORD-1234", "1,250.00").
const JOINERS = '.,-_/#:'
const SIGNS = '-+−'
// "1." / "2)" opening a line of a numbered list: layout, not content.
const LIST_MARKER = /^[ \t]*\(?\d{1,2}[.)](?=\s)/gm
const PLAIN_NUMBER = /^[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/
// "half past two" = 2:30, "quarter to five" = 4:45.
const HOUR_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve']
const SPOKEN_TIME = new RegExp(`\\b(half|quarter)\\s+(past|after|to)\\s+(${HOUR_WORDS.join('|')}|noon|midnight|\\d{1,2})\\b`, 'gi')
const ORDINAL_SUFFIX = /^(\d+)(?:st|nd|rd|th)$/i
const NUMBER_WITH_UNIT = /^(\d+(?:\.\d+)?)-?([a-z]{1,12}|[a-z]+\/[a-z]+)$/i
// Number words ("two", "twenty-five", "a dozen", "half an hour"), read as numbers so "Two rooms" equals "2 rooms".
const NUMBER_WORDS = new RegExp(
  `\\b(?:minus\\s+)?(?:an?\\s+(?:single|dozen|hundred|thousand|million|billion)|half\\s+an?(?=\\s+(?:hour|day|minute|week|month|year)\\b)|(?:${NUMBER_WORD_PATTERN})(?:(?:\\s+|-)(?:and\\s+)?(?:${NUMBER_WORD_PATTERN}))*)\\b`,
  'gi',
)
// Words before "one" that make it a pronoun ("the first one", "no one", "this one").
const ONE_AS_PRONOUN_BEFORE = /\b(?:the|this|that|which|each|every|any|no|another|new|old|only|other|last|next|same|right|wrong|better|best|first|second|third|little|big|small)\s+$/i
// Unit names that are also everyday words or ordinals: never read as a unit after a space.
const NOT_UNITS = new Set(['in', 'at', 'a', 'an', 'st', 't', 's', 'h', 'pt', 'yd', 'ac', 'm'])
const CURRENCY_BEFORE = /(?:US\$|A\$|CA\$|NZ\$|HK\$|[$€£¥₹₩₽]|\b[A-Z]{3}\s?)$/
const VERSION = /^\d+(?:\.\d+){2,}$/
const NEGATION = /\b(?:not|no|never|none|nothing|nobody|nowhere|neither|nor|cannot|unable|fail(?:s|ed|ure)?|unsuccessful(?:ly)?)\b/gi
const UN_WORD = /\bun[a-z]{3,}\b/gi
// Contractions (don't, wasn't, can't) are found by their ending, then widened to the word.
const CONTRACTION = /n['’]t\b/gi

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/**
 * Finds the tokens whose change is a divergence whatever the similarity says: numbers (with
 * their unit or currency, number words included), dates and times (weekdays, months, today,
 * "next week", parts of the day), URLs, emails, id-like tokens (ORD-1234, hex, UUIDs), quoted
 * strings, names (proper nouns, file and folder names) and negation cues. Values are normalised
 * so paraphrases agree: "1,000" = "1000", "two" = "2", "May 5, 2024" = "2024-05-05", "3 pm" =
 * "15:00". Each span is claimed by one kind only (the date "2024-05-05" is not also three
 * numbers). Opposites and actions compare two texts' words: see `diffCriticalTokens`.
 * Deterministic; reads WordNet (once, lazily) to tell a name from a common word.
 *
 * @example
 * extractCriticalTokens('Order ORD-1234 ships on May 5, 2024 for $1,250.00.')
 * // [{ kind: 'date', value: '2024-05-05', … }, { kind: 'id', value: 'ord-1234', … }, { kind: 'number', value: '1250', … }]
 */
export function extractCriticalTokens(text: string): CriticalToken[] {
  const tokens: CriticalToken[] = []
  // Each pass claims its spans and blanks them (same length, so word boundaries hold) for the next.
  const claim = (source: string, pattern: RegExp, read: (match: RegExpExecArray) => CriticalToken | undefined): string => {
    pattern.lastIndex = 0
    const spans: Array<[number, number]> = []
    // Every pattern here matches at least one character, so the search always moves on.
    for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
      const token = read(match)
      if (!token) continue
      tokens.push(token)
      spans.push([match.index, match.index + match[0].length])
    }
    return blankSpans(source, spans)
  }

  let rest = text.replace(LIST_MARKER, (marker) => ' '.repeat(marker.length))
  // Cheap pre-checks skip the passes that cannot match (the email pattern alone costs ~50 µs on 3 k chars).
  if (rest.includes('://') || rest.includes('www.')) {
    rest = claim(rest, URL_PATTERN, (m) => {
      const raw = m[0]!.replace(/[.,;:!?]+$/, '')
      return { kind: 'url', value: normalizeUrl(raw), text: raw }
    })
  }
  if (rest.includes('@')) rest = claim(rest, EMAIL_PATTERN, (m) => ({ kind: 'email', value: m[0]!.toLowerCase(), text: m[0]! }))
  rest = claim(rest, QUOTED_PATTERN, (m) => {
    const value = normalizeQuoted(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '')
    return value ? { kind: 'quoted', value, text: m[0]! } : undefined
  })
  rest = claim(rest, ISO_DATE, (m) => {
    const date = `${m[1]}-${m[2]}-${m[3]}`
    if (m[4] === undefined) return { kind: 'date', value: date, text: m[0]! }
    const zone = m[7] === undefined ? '' : m[7].toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
    return { kind: 'date', value: `${date}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}`, text: m[0]! }
  })
  rest = claim(rest, NAMED_DATE, (m) => {
    // Groups: 1-3 "May 5, 2024"; 4-6 "5 May 2024"; 7-8 "May 2024".
    const month = monthNumber(m[1] ?? m[5] ?? m[7])
    const day = m[2] ?? m[4]
    const year = m[3] ?? m[6] ?? m[8]
    if (month === undefined) return undefined
    if (day === undefined) return { kind: 'date', value: `${year}-${month}`, text: m[0]! }
    if (Number(day) < 1 || Number(day) > 31) return undefined
    return { kind: 'date', value: `${year ?? '-'}-${month}-${day.padStart(2, '0')}`, text: m[0]! }
  })
  rest = claim(rest, NUMERIC_DATE, (m) => {
    // 05/06/2024 is ambiguous (US or European), so it is kept as written, zeros aside.
    const year = m[4]!.length === 2 ? `20${m[4]}` : m[4]
    return { kind: 'date', value: `${Number(m[1])}${m[2]}${Number(m[3])}${m[2]}${year}`, text: m[0]! }
  })
  rest = claim(rest, SPOKEN_TIME, (m) => {
    const hourWord = m[3]!.toLowerCase()
    const hour = hourWord === 'noon' ? 12 : hourWord === 'midnight' ? 0 : Number(hourWord) || HOUR_WORDS.indexOf(hourWord) + 1
    const minutes = m[1]!.toLowerCase() === 'half' ? 30 : 15
    const [h, mm] = m[2]!.toLowerCase() === 'to' ? [(hour + 23) % 24, 60 - minutes] : [hour, minutes]
    return { kind: 'date', value: `${String(h).padStart(2, '0')}:${mm}`, text: m[0]! }
  })
  rest = claim(rest, CLOCK_TIME, (m) => {
    if (m[8] !== undefined) return { kind: 'date', value: m[8].toLowerCase() === 'midnight' ? '00:00' : '12:00', text: m[0]! }
    const hour = Number(m[1] ?? m[6] ?? m[9])
    const part = (m[5] ?? m[10])?.toLowerCase()
    const meridiem = (m[4] ?? m[7])?.toLowerCase() ?? (part === undefined ? undefined : part.includes('morning') ? 'a' : 'p')
    const hour24 = meridiem === 'p' && hour < 12 ? hour + 12 : meridiem === 'a' && hour === 12 ? 0 : hour
    if (hour24 > 24 || Number(m[2] ?? 0) > 59) return undefined
    const seconds = m[3] === undefined ? '' : `:${m[3]}`
    return { kind: 'date', value: `${String(hour24).padStart(2, '0')}:${m[2] ?? '00'}${seconds}`, text: m[0]!.trim() }
  })
  const calendarWords = findCalendarWords(rest)
  for (const word of calendarWords) tokens.push({ kind: 'date', value: word.value, text: word.text })
  rest = blankSpans(rest, calendarWords.map((word) => [word.start, word.end]))
  rest = claim(rest, NUMBER_WORDS, (m) => {
    const words = m[0]!.split(/[\s-]+/).filter((word) => word.toLowerCase() !== 'and')
    let value = numberWordsValue(words)
    if (/^half\s/i.test(m[0]!)) value = 0.5
    if (value === undefined) return undefined
    const offset = m.index!
    // "one" alone is often a pronoun: "one at 7:05", "the first one", "one of them".
    if (/^one$/i.test(m[0]!) && (ONE_AS_PRONOUN_BEFORE.test(rest.slice(Math.max(0, offset - 12), offset)) || !/^\s+[a-z]/i.test(rest.slice(offset + 3)) || /^\s+(?:of|at|in|on|for|to|by|with|and|or|is|was|will|who|that|which)\b/i.test(rest.slice(offset + 3)))) return undefined
    return quantityToken(String(value), m[0]!, rest, offset, offset + m[0]!.length)
  })
  const spans: Array<[number, number]> = []
  for (const word of digitWords(rest)) {
    const classified = classifyDigitWord(rest, word)
    tokens.push(...classified.tokens)
    // A currency written before the number ("USD 300") is part of it, not a name.
    const quantity = classified.tokens[0]?.quantity
    const before = quantity && quantity.unitAfter === undefined && quantity.written.endsWith(word.text) ? quantity.written.length - word.text.length : 0
    spans.push([word.start - before, classified.end])
  }
  rest = blankSpans(rest, spans)
  for (const name of findNames(rest)) {
    tokens.push({ kind: 'entity', value: name.value, text: name.text })
  }
    // "unread", "unpaid": a negated adjective, which negates only where the other text has the word
  // ("unread" = "not read"; "unchanged" beside "flat" is no negation). Its value is `un:<word>`.
  for (const match of rest.matchAll(UN_WORD)) {
    if (isNegatedAdjective(match[0].toLowerCase())) tokens.push({ kind: 'negation', value: `un:${match[0].slice(2).toLowerCase()}`, text: match[0] })
  }
  for (const match of rest.matchAll(NEGATION)) {
    const value = normalizeNegation(match[0])
    const end = match.index + match[0].length
    tokens.push({ kind: 'negation', value: value === 'not' && saysUntil(rest, end) ? 'until:not' : isZeroPrice(rest, match.index, match[0]) ? `free:${value}` : value, text: match[0] })
  }
  for (const match of rest.matchAll(CONTRACTION)) {
    let start = match.index
    while (start > 0 && isWordChar(rest, start - 1)) start--
    const end = match.index + match[0].length
    tokens.push({ kind: 'negation', value: saysUntil(rest, end) ? 'until:not' : 'not', text: rest.slice(start, end) })
  }
  return tokens
}

const UNTIL = /^[^.!?;\n]*?\b(?:until|till)\b/i
// "costs nothing", "at no cost", "no charge", "no fee": a price of zero.
const COST_BEFORE = /\b(?:cost|costs|costing|charge|charges|pay|pays)\s+(?:you\s+|us\s+)?$/i
const COST_AFTER = /^\s+(?:extra\s+|additional\s+)?(?:cost|charge|fee)s?\b/i

/**
 * "doesn't open until 6 pm" says when, not whether: a "not" whose clause goes on to "until".
 * Its value is `until:not`; it negates only where the other text says "until" too ("can
 * cancel until it ships" is the opposite of "can't cancel until it ships").
 */
function saysUntil(text: string, end: number): boolean {
  return UNTIL.test(text.slice(end, end + 120))
}

/**
 * "costs nothing", "at no cost", "no fee": a negation cue that states a price of zero. Its value
 * is `free:<cue>`; it negates only where the other text does not say "free".
 */
function isZeroPrice(text: string, start: number, cue: string): boolean {
  const lower = cue.toLowerCase()
  if (lower === 'nothing') return COST_BEFORE.test(text.slice(Math.max(0, start - 20), start))
  return lower === 'no' && COST_AFTER.test(text.slice(start + cue.length, start + cue.length + 30))
}

/**
 * Whole words that hold a digit, optionally signed. Found from each digit outwards: a regex
 * with look-arounds for the same took ~50 µs on 3 k characters, this a few (a plain scan for
 * the digits, not a regex: no match object per digit).
 */
function digitWords(text: string): DigitWord[] {
  const words: DigitWord[] = []
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at)
    if (code < 48 || code > 57) continue
    let start = at
    let end = start + 1
    for (;;) {
      if (start > 0 && isWordChar(text, start - 1)) start--
      else if (start > 1 && JOINERS.includes(text[start - 1]!) && isWordChar(text, start - 2)) start -= 2
      else break
    }
    for (;;) {
      if (end < text.length && isWordChar(text, end)) end++
      else if (end + 1 < text.length && JOINERS.includes(text[end]!) && isWordChar(text, end + 1)) end += 2
      else break
    }
    // A sign counts when it opens the word (" -5"), not when it joins ("2-3").
    if (start > 0 && SIGNS.includes(text[start - 1]!) && (start === 1 || !isWordChar(text, start - 2))) start--
    words.push({ text: text.slice(start, end), start, end })
    at = end - 1
  }
  return words
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u

function isWordChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index)
  if (code < 128) return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122)
  return LETTER_OR_DIGIT.test(text[index]!)
}

interface DigitWord {
  text: string
  start: number
  end: number
}

/** Blanks each `[start, end)` (in order, not overlapping) with spaces, keeping every other offset in place. */
function blankSpans(text: string, spans: ReadonlyArray<readonly [number, number]>): string {
  if (spans.length === 0) return text
  const parts: string[] = []
  let at = 0
  for (const [start, end] of spans) {
    if (start < at) continue
    parts.push(text.slice(at, start), ' '.repeat(end - start))
    at = end
  }
  parts.push(text.slice(at))
  return parts.join('')
}

/**
 * A word holding digits → number tokens (with the unit or currency written beside them) or an
 * id. Returns where the quantity ends, unit included, so the unit is not read again as a name.
 */
function classifyDigitWord(text: string, word: DigitWord): { tokens: CriticalToken[]; end: number } {
  const raw = word.text
  if (PLAIN_NUMBER.test(raw)) {
    const plain = /[,−+]/.test(raw) ? raw.replace(/,/g, '').replace('−', '-').replace(/^\+/, '') : raw
    const token = quantityToken(normalizeNumber(plain), raw, text, word.start, word.end)
    return { tokens: [token], end: token.quantity?.unitAfter ?? word.end }
  }
  const ordinal = ORDINAL_SUFFIX.exec(raw)
  if (ordinal) return { tokens: [{ kind: 'number', value: normalizeNumber(ordinal[1]!), text: raw }], end: word.end }
  // "18km", "5GB", "12-kilometre": a number with its unit; "A320", "ORD-1234" are ids.
  const withUnit = NUMBER_WITH_UNIT.exec(raw)
  if (withUnit) {
    const units = readUnit(withUnit[2]!, true)
    if (units.length) {
      const quantity: Quantity = { value: normalizeNumber(withUnit[1]!), units, unitText: withUnit[2]!, written: raw }
      return { tokens: [{ kind: 'number', value: quantity.value, text: raw, quantity }], end: word.end }
    }
  }
  if (/\p{L}/u.test(raw) || VERSION.test(raw)) return { tokens: [{ kind: 'id', value: raw.toLowerCase(), text: raw }], end: word.end }
  // Digit groups joined by separators ("10-15", "555-0100"): each group is a number.
  const tokens = raw
    .replace(/^[-+−]/, '')
    .split(/[^\d.]+/)
    .filter((part) => /\d/.test(part))
    .map((part) => ({ kind: 'number' as const, value: normalizeNumber(part), text: part }))
  return { tokens, end: word.end }
}

/**
 * A number token with the unit or currency written after it ("21 °C", "2.5 kg", "two hours",
 * "1,250 euros") or a currency before it ("$42", "€1,250", "USD 300").
 */
function quantityToken(value: string, written: string, text: string, start: number, end: number): CriticalToken {
  const after = unitAfter(text, end)
  if (after) {
    const between = text.slice(end, after.end)
    const quantity: Quantity = { value, units: after.units, unitText: after.text, unitAfter: after.end, written: SPACES.test(between) ? `${written}${between}`.replace(SPACE_RUNS, ' ') : `${written}${between}` }
    return { kind: 'number', value, text: written, quantity }
  }
  const before = mayFollowCurrency(text, start) ? CURRENCY_BEFORE.exec(text.slice(Math.max(0, start - 4), start)) : null
  if (before) {
    const units = unitsNamed(before[0].trim()).filter((unit) => unit.dimension === 'currency')
    if (units.length) return { kind: 'number', value, text: written, quantity: { value, units, unitText: before[0].trim(), written: `${before[0]}${written}` } }
  }
  return { kind: 'number', value, text: written }
}

// Up to three words, or a symbol ("°C", "%", "km/h"), right after a number (within 40 characters).
const UNIT_AFTER = /[ \u00a0]?(°\s?[CFcf](?![a-z])|°|%|[a-zA-Z]+\/[a-zA-Z]+|[a-zA-Z]+(?: [a-zA-Z]+){0,2})/y
const UNIT_WINDOW = 40
const SPACES = /\s/
const SPACE_RUNS = /\s+/g

/**
 * Whether a currency may be written right before `start` ("$", "€", "USD ", "US$"): a symbol or
 * a capital there, or a space after one. Most numbers follow a plain word or space.
 */
function mayFollowCurrency(text: string, start: number): boolean {
  if (start === 0) return false
  const code = text.charCodeAt(start - 1)
  if (code === 32 || (code >= 9 && code <= 13)) return start > 1 && isCapitalCode(text.charCodeAt(start - 2))
  return code > 127 || code === 36 || isCapitalCode(code)
}

function isCapitalCode(code: number): boolean {
  return code >= 65 && code <= 90
}

function unitAfter(text: string, end: number): { units: readonly UnitInfo[]; text: string; end: number } | undefined {
  UNIT_AFTER.lastIndex = end
  let match = UNIT_AFTER.exec(text)
  if (!match) return undefined
  // Read within a window, as a unit name is never longer: a word cut at its edge is cut.
  if (match[0].length > UNIT_WINDOW) match = /^[ \u00a0]?(°\s?[CFcf](?![a-z])|°|%|[a-zA-Z]+\/[a-zA-Z]+|[a-zA-Z]+(?: [a-zA-Z]+){0,2})/.exec(text.slice(end, end + UNIT_WINDOW))!
  const attached = match[0][0] !== ' ' && match[0][0] !== '\u00a0'
  const lead = match[0].length - match[1]!.length
  const phrase = match[1]!
  // Longest first: "degrees Celsius" before "degrees".
  for (let length = phrase.length; length > 0; length = phrase.lastIndexOf(' ', length - 1)) {
    const candidate = length === phrase.length ? phrase : phrase.slice(0, length)
    const units = readUnit(candidate.includes('°') ? candidate.replace(/°\s/, '°') : candidate, attached)
    if (units.length) return { units, text: candidate, end: end + lead + candidate.length }
  }
  return undefined
}

const unitMemo = [new Map<string, readonly UnitInfo[]>(), new Map<string, readonly UnitInfo[]>()]

function readUnit(name: string, attached: boolean): readonly UnitInfo[] {
  const memo = unitMemo[attached ? 1 : 0]!
  let units = memo.get(name)
  if (units === undefined) {
    // "°c" and "°f" as written in lower case.
    units = !attached && NOT_UNITS.has(name.toLowerCase()) ? [] : Object.freeze([...unitsNamed(/^°[cf]$/.test(name) ? name.toUpperCase() : name)])
    memo.set(name, units)
  }
  return units
}

function normalizeNumber(plain: string): string {
  // Leading zeros carry meaning in codes ("007", "0042"): keep them as written.
  if (/^-?0\d/.test(plain)) return plain
  if (!plain.includes('.')) return plain.replace(/^-0$/, '0')
  // "42.50" and "42.5" are one value; precision past 15 digits is not a paraphrase concern.
  return String(Number(plain))
}

function normalizeUrl(raw: string): string {
  // Scheme and host are case-insensitive; a trailing slash is not a different page.
  const match = /^([a-z]+:\/\/)?([^/?#]*)(.*)$/i.exec(raw)!
  return `${(match[1] ?? '').toLowerCase()}${match[2]!.toLowerCase()}${match[3]!.replace(/\/$/, '')}`
}

/**
 * Quoted text as compared: spaces collapsed, lower case.
 *
 * @example
 * normalizeQuoted('  The   Blue Plan ') // → 'the blue plan'
 */
export function normalizeQuoted(inner: string): string {
  return inner.replace(/\s+/g, ' ').trim().toLowerCase()
}

function normalizeNegation(cue: string): string {
  const lower = cue.toLowerCase()
  return lower === 'cannot' ? 'not' : lower
}

function monthNumber(name: string | undefined): string | undefined {
  if (name === undefined) return undefined
  const index = MONTHS.indexOf(name.slice(0, 3).toLowerCase())
  return index < 0 ? undefined : String(index + 1).padStart(2, '0')
}

/** "unpaid" → "paid", "unread" → "read": an adjective WordNet knows whose stem it also knows. */
function isNegatedAdjective(word: string): boolean {
  if (word === 'unable' || word.startsWith('unit') || word.startsWith('univers') || word.startsWith('unique') || word.startsWith('uniform')) return false
  const adjective = baseForms(word, 'adj').length > 0 || (word.endsWith('ed') && baseForms(word, 'verb').length > 0)
  // The stem is a quality or an action ("read", "paid"), not a thing ("ion" in "union").
  const stem = word.slice(2)
  return adjective && (baseForms(stem, 'adj').length > 0 || baseForms(stem, 'verb').length > 0)
}
