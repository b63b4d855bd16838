import { z } from 'zod'

/**
 * Kinds of tokens whose change flips an agent's meaning while barely moving a similarity
 * score: "$42.50" → "$45.20" keeps 0.98 embedding cosine, "processed" → "not processed" 0.87.
 */
export const CriticalTokenKindSchema = z.enum(['number', 'date', 'url', 'email', 'id', 'quoted', 'negation'])
export type CriticalTokenKind = z.infer<typeof CriticalTokenKindSchema>

/** Every kind, in the order reasons report them. */
export const CRITICAL_TOKEN_KINDS: readonly CriticalTokenKind[] = CriticalTokenKindSchema.options

/** A token the guard compares: `value` is normalised (so "1,000" equals "1000"), `text` is as written. */
export interface CriticalToken {
  kind: CriticalTokenKind
  value: string
  text: string
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
const CLOCK_TIME = /\b(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\b\.?)?|\b(\d{1,2})\s*([ap])\.?m\b\.?/gi
// `.`, `,`, `-`, `_`, `/`, `#`, `:` join the parts of a word holding a digit ("ORD-1234", "1,250.00").
const JOINERS = '.,-_/#:'
const SIGNS = '-+−'
// "1." / "2)" opening a line of a numbered list: layout, not content.
const LIST_MARKER = /^[ \t]*\(?\d{1,2}[.)](?=\s)/gm
const PLAIN_NUMBER = /^[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/
const NUMBER_WITH_UNIT = /^(\d+(?:\.\d+)?)(?:st|nd|rd|th|[a-z]{1,3})$/i
const VERSION = /^\d+(?:\.\d+){2,}$/
const NEGATION = /\b(?:not|no|never|none|nothing|nobody|nowhere|neither|nor|cannot|unable|fail(?:s|ed|ure)?|unsuccessful(?:ly)?)\b/gi
// Contractions (don't, wasn't, can't) are found by their ending, then widened to the word.
const CONTRACTION = /n['’]t\b/gi

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/**
 * Finds the tokens whose change is a divergence whatever the similarity says: numbers,
 * dates and times, URLs, emails, id-like tokens (ORD-1234, hex, UUIDs), quoted strings and
 * negation cues. Values are normalised so paraphrases agree: "1,000" = "1000", "42.50" = "42.5",
 * "May 5, 2024" = "2024-05-05", "3 pm" = "15:00". Each span is claimed by one kind only
 * (the date "2024-05-05" is not also three numbers). Pure and deterministic.
 *
 * @example
 * extractCriticalTokens('Order ORD-1234 ships on May 5, 2024 for $1,250.00.')
 * // [{ kind: 'date', value: '2024-05-05', … }, { kind: 'id', value: 'ord-1234', … }, { kind: 'number', value: '1250', … }]
 */
export function extractCriticalTokens(text: string): CriticalToken[] {
  const tokens: CriticalToken[] = []
  // Each pass claims its spans and blanks them (same length, so word boundaries hold) for the next.
  const claim = (source: string, pattern: RegExp, read: (match: Groups) => CriticalToken | undefined): string =>
    source.replace(pattern, (...args: unknown[]) => {
      const match = groupsOf(args)
      const token = read(match)
      if (!token) return match[0]!
      tokens.push(token)
      return ' '.repeat(match[0]!.length)
    })

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
  rest = claim(rest, CLOCK_TIME, (m) => {
    const hour = Number(m[1] ?? m[5])
    const meridiem = (m[4] ?? m[6])?.toLowerCase()
    const hour24 = meridiem === 'p' && hour < 12 ? hour + 12 : meridiem === 'a' && hour === 12 ? 0 : hour
    if (hour24 > 24 || Number(m[2] ?? 0) > 59) return undefined
    const seconds = m[3] === undefined ? '' : `:${m[3]}`
    return { kind: 'date', value: `${String(hour24).padStart(2, '0')}:${m[2] ?? '00'}${seconds}`, text: m[0]!.trim() }
  })
  // The last passes only read: nothing after them needs the spans blanked.
  for (const word of digitWords(rest)) tokens.push(...classifyDigitWord(word))
  for (const match of rest.matchAll(NEGATION)) tokens.push({ kind: 'negation', value: normalizeNegation(match[0]), text: match[0] })
  for (const match of rest.matchAll(CONTRACTION)) {
    let start = match.index
    while (start > 0 && isWordChar(rest, start - 1)) start--
    const word = rest.slice(start, match.index + match[0].length)
    tokens.push({ kind: 'negation', value: 'not', text: word })
  }
  return tokens
}

/**
 * Whole words that hold a digit, optionally signed. Found from each digit outwards: a regex
 * with look-arounds for the same took ~50 µs on 3 k characters, this a few.
 */
function digitWords(text: string): string[] {
  const words: string[] = []
  const digit = /\d/g
  let match: RegExpExecArray | null
  while ((match = digit.exec(text))) {
    let start = match.index
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
    words.push(text.slice(start, end))
    digit.lastIndex = end
  }
  return words
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u

function isWordChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index)
  if (code < 128) return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122)
  return LETTER_OR_DIGIT.test(text[index]!)
}

type Groups = ReadonlyArray<string | undefined>

/** `String.prototype.replace` passes the match, its groups, then the offset (a number). */
function groupsOf(args: unknown[]): Groups {
  const end = args.findIndex((arg, i) => i > 0 && typeof arg === 'number')
  return args.slice(0, end) as Groups
}

function classifyDigitWord(word: string): CriticalToken[] {
  if (PLAIN_NUMBER.test(word)) {
    const plain = word.replace(/,/g, '').replace('−', '-').replace(/^\+/, '')
    return [{ kind: 'number', value: normalizeNumber(plain), text: word }]
  }
  const unit = NUMBER_WITH_UNIT.exec(word)
  // "18km", "3rd", "5GB" are numbers with a unit; "A320", "ORD-1234" are ids.
  if (unit) return [{ kind: 'number', value: normalizeNumber(unit[1]!), text: word }]
  if (/\p{L}/u.test(word) || VERSION.test(word)) return [{ kind: 'id', value: word.toLowerCase(), text: word }]
  // Digit groups joined by separators ("10-15", "555-0100"): each group is a number.
  return word
    .replace(/^[-+−]/, '')
    .split(/[^\d.]+/)
    .filter((part) => /\d/.test(part))
    .map((part) => ({ kind: 'number' as const, value: normalizeNumber(part), text: part }))
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

function normalizeQuoted(inner: string): string {
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

/**
 * Compares the critical tokens of two texts kind by kind, as sets (repeating or reordering
 * a value is not a change). Negation is compared as presence: a cue on one side only.
 * A quoted value that the other text still contains unquoted is not a change.
 *
 * @example
 * diffCriticalTokens(extractCriticalTokens('18 degrees'), extractCriticalTokens('19 degrees'))
 * // [{ kind: 'number', missing: [{ value: '18', … }], added: [{ value: '19', … }] }]
 */
export function diffCriticalTokens(
  expected: readonly CriticalToken[],
  received: readonly CriticalToken[],
  options: { kinds?: ReadonlySet<CriticalTokenKind>; expectedText?: string; receivedText?: string } = {},
): CriticalTokenChange[] {
  const changes: CriticalTokenChange[] = []
  for (const kind of CRITICAL_TOKEN_KINDS) {
    if (options.kinds && !options.kinds.has(kind)) continue
    const a = expected.filter((token) => token.kind === kind)
    const b = received.filter((token) => token.kind === kind)
    if (a.length === 0 && b.length === 0) continue
    if (kind === 'negation') {
      if ((a.length === 0) !== (b.length === 0)) changes.push({ kind, missing: a, added: b })
      continue
    }
    const valuesA = new Set(a.map((token) => token.value))
    const valuesB = new Set(b.map((token) => token.value))
    let missing = uniqueByValue(a.filter((token) => !valuesB.has(token.value)))
    let added = uniqueByValue(b.filter((token) => !valuesA.has(token.value)))
    if (kind === 'quoted') {
      // Quoting is style: "the 'VIP' plan" and "the VIP plan" name the same thing.
      const textA = options.expectedText === undefined ? undefined : normalizeQuoted(options.expectedText)
      const textB = options.receivedText === undefined ? undefined : normalizeQuoted(options.receivedText)
      if (textB !== undefined) missing = missing.filter((token) => !textB.includes(token.value))
      if (textA !== undefined) added = added.filter((token) => !textA.includes(token.value))
    }
    if (missing.length || added.length) changes.push({ kind, missing, added })
  }
  return changes
}

function uniqueByValue(tokens: CriticalToken[]): CriticalToken[] {
  const seen = new Set<string>()
  return tokens.filter((token) => {
    if (seen.has(token.value)) return false
    seen.add(token.value)
    return true
  })
}
