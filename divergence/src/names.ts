import { FUNCTION_WORDS } from './function-words.ts'
import { allBaseForms } from './lexicon/lemmas.ts'
import { wordNet } from './lexicon/wordnet.ts'

/** A name found in a text: a proper noun (run of capitalised words), a file or folder name. */
export interface NameSpan {
  /** Comparable form: lower case, corporate suffixes and possessives dropped ("Acme Corp's" → "acme"). */
  value: string
  text: string
  start: number
  end: number
  /**
   * `false` for a capitalised word that only starts a sentence and is also a common word
   * ("Maria" is also the plural of "mare"): a name only when another name takes its place.
   */
  certain: boolean
}

// Paths ("/var/log/app", "~/notes", "C:\\Users") and file names with an extension ("report.pdf").
const PATH = /(?<![\w/.])(?:~|\.{1,2})?\/(?:[\w.-]+\/)*[\w.-]*[A-Za-z][\w.-]*\/?|\b[A-Za-z]:\\[\w\\. -]+/g
const FILE_NAME = /\b[\w-]+(?:\.[\w-]+)*\.[a-z][a-z0-9]{1,4}\b(?!\.\w)/g
// Cheap checks before the patterns: most answers hold neither.
const MAYBE_FILE_NAME = /\w\.[a-z]/
const LETTER = /[A-Za-z]/
// Words: letters with inner apostrophes, dots or hyphens ("O'Brien", "Jean-Luc", "U.S.").
// Words that may be names: a capital anywhere ("Paris", "eBay"). "I" is read too, to end a run.
const CAPITALISED_WORD = /(?<![\p{L}\p{N}])(?:\p{Lu}|\p{Ll}+\p{Lu})[\p{L}\p{N}]*(?:['’.-][\p{L}\p{N}]+)*/gu
const ASCII_CAPITALISED_WORD = /\b(?:[A-Z]|[a-z]+[A-Z])[A-Za-z0-9]*(?:['.-][A-Za-z0-9]+)*/g
const NON_ASCII = /[^\x00-\x7f]/
// A joiner between two capitalised words: "Bank of America".
const JOINER_GAP = /^ +(\S+) +$/
// Corporate suffixes and titles do not tell two names apart ("Acme Corp" = "Acme Corporation").
const NAME_NOISE = new Set(['inc', 'corp', 'corporation', 'co', 'company', 'ltd', 'limited', 'llc', 'plc', 'gmbh', 'ag', 'sa', 'group', 'mr', 'mrs', 'ms', 'dr', 'the'])
// Joined into a name only between two capitalised words ("Bank of America").
const NAME_JOINERS = new Set(['of', 'de', 'du', 'van', 'von', 'la', 'le', 'da', 'del', '&'])

/**
 * File names and paths, then runs of capitalised words (or words with inner capitals: eBay,
 * iPhone), in a text whose numbers, dates and quoted strings are already blanked. A capitalised
 * word that starts a sentence is a name only when WordNet does not know it as a common word
 * (Canberra, DHL) or knows it as a person, place or organisation (Daniel, Paris); otherwise it is
 * left out ("Sure", "Maria": `findWordContrasts` pairs it when a name takes its place).
 * Closed-class words ("I", "The") never start a name.
 *
 * @example
 * findNames('Send report.pdf to Maria at Acme Corp.').map((name) => name.value) // ['report.pdf', 'maria', 'acme']
 */
export function findNames(text: string): NameSpan[] {
  const names: NameSpan[] = []
  let rest = text
  for (const pattern of [PATH, FILE_NAME]) {
    if (pattern === PATH ? !rest.includes('/') && !rest.includes(':\\') : !MAYBE_FILE_NAME.test(rest)) continue
    rest = rest.replace(pattern, (match: string, offset: number) => {
      // "e.g." and "4.99" are not file names; a file name needs a letter before its extension.
      if (pattern === FILE_NAME && (/^(?:[a-z]\.)+[a-z]$/i.test(match) || !LETTER.test(match.slice(0, match.lastIndexOf('.'))))) return match
      // A sentence may end right after a path: "in /var/log/app."
      const trimmed = match.replace(/[.]+$/, '')
      names.push({ value: trimmed.toLowerCase().replace(/\/$/, ''), text: trimmed, start: offset, end: offset + trimmed.length, certain: true })
      return ' '.repeat(match.length)
    })
  }
  // Only capitalised words (and words with inner capitals) are visited; a run of them is one
  // name when only spaces, or a joiner between spaces ("Bank of America"), separate them.
  let run: Array<{ word: string; start: number; end: number; initial: boolean }> = []
  const flush = () => {
    if (run.length) names.push(toName(text, run))
    run = []
  }
  const pattern = NON_ASCII.test(rest) ? CAPITALISED_WORD : ASCII_CAPITALISED_WORD
  pattern.lastIndex = 0
  for (let match = pattern.exec(rest); match; match = pattern.exec(rest)) {
    const word = match[0]
    const start = match.index
    if (!isCapitalised(word) || (word[0] === 'I' && (word.length === 1 || word[1] === "'" || word[1] === '’'))) {
      flush()
      continue
    }
    const initial = sentenceStarts(rest, start)
    const previous = run[run.length - 1]
    // Within a name its words are one space apart: only another gap is read.
    if (previous && (initial || start !== previous.end + 1 || rest[previous.end] !== ' ')) {
      const gap = rest.slice(previous.end, start)
      const joiner = JOINER_GAP.exec(gap)?.[1]
      if (initial || (gap.trim() !== '' && !(joiner && NAME_JOINERS.has(joiner.toLowerCase())))) flush()
      else if (joiner) run.push({ word: joiner, start: start - gap.length + gap.indexOf(joiner), end: start - gap.length + gap.indexOf(joiner) + joiner.length, initial: false })
    }
    run.push({ word, start, end: start + word.length, initial })
  }
  flush()
  return names.filter((name) => name.value !== '' && name.certain)
}

function toName(text: string, run: ReadonlyArray<{ word: string; start: number; end: number; initial: boolean }>): NameSpan {
  const first = run[0]!
  const last = run[run.length - 1]!
  let words = run
  if (first.initial) {
    if (FUNCTION_WORDS.has(nameWord(first.word))) {
      // "The Hilton", "Our Paris office": the rest of the run is the name.
      words = run.slice(1)
    } else if (run.length === 1 && isCommonWord(first.word)) return { value: '', text: first.word, start: first.start, end: first.end, certain: false }
  }
  if (words.length === 0) return { value: '', text: '', start: first.start, end: first.start, certain: false }
  let value = ''
  for (const part of words) {
    const key = nameWord(part.word)
    if (NAME_NOISE.has(key.endsWith('.') ? key.slice(0, -1) : key)) continue
    value = value === '' ? key : `${value} ${key}`
  }
  return { value, text: text.slice(words[0]!.start, last.end), start: words[0]!.start, end: last.end, certain: true }
}

/** A word of a name as compared: lower case, without a possessive ("Acme's" → "acme"). */
function nameWord(word: string): string {
  const lower = word.toLowerCase()
  const n = lower.length
  return n > 2 && lower[n - 1] === 's' && (lower[n - 2] === "'" || lower[n - 2] === '’') ? lower.slice(0, -2) : lower
}

/** "Paris", "DHL", "eBay", "iPhone": a capital first, or a lower-case start with inner capitals. */
function isCapitalised(word: string): boolean {
  const code = word.charCodeAt(0)
  if (code >= 65 && code <= 90) return true
  if (code >= 97 && code <= 122) {
    // Lower-case ASCII start: a name only with an inner capital ("eBay").
    for (let i = 1; i < word.length; i++) {
      const c = word.charCodeAt(i)
      if (c >= 65 && c <= 90) return true
      if (c > 127) break
    }
    return false
  }
  const first = word[0]!
  if (first !== first.toLowerCase() && first === first.toUpperCase()) return true
  return /^\p{Ll}+\p{Lu}/u.test(word)
}

/**
 * Whether a capitalised word at the start of a sentence is an ordinary word ("Sure",
 * "Unfortunately", "Maria" the lunar plains) rather than a name. WordNet lists proper nouns
 * capitalised ("Paris", "Daniel"); a word it knows only in lower case is common.
 *
 * @example
 * isCommonWord('Unfortunately') // → true
 * isCommonWord('Paris') // → false
 */
export function isCommonWord(word: string): boolean {
  let common = commonMemo.get(word)
  if (common === undefined) {
    common = lookUpCommonWord(word)
    commonMemo.set(word, common)
  }
  return common
}

const commonMemo = new Map<string, boolean>()

function lookUpCommonWord(word: string): boolean {
  const lower = word.toLowerCase()
  const forms = allBaseForms(lower)
  if (forms.length === 0) return false
  const wn = wordNet()
  let common = false
  for (const form of forms) {
    for (const synset of wn.synsets(form)) {
      for (const entry of synset.words) {
        if (entry.toLowerCase() !== form) continue
        // Persons, places and organisations: a capitalised entry is a name.
        if (entry !== form && synset.pos === 'noun' && (synset.lexFile === 18 || synset.lexFile === 15 || synset.lexFile === 14)) return false
        if (entry === form) common = true
      }
    }
  }
  return common
}

/**
 * True when `index` starts a sentence: the text's start, or after `.`, `!`, `?`, `:`, `;`, a dash or a line break.
 *
 * @example
 * sentenceStarts('It rained. Maria stayed in.', 11) // → true
 * sentenceStarts('It rained. Maria stayed in.', 17) // → false
 */
export function sentenceStarts(text: string, index: number): boolean {
  let i = index - 1
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '"' || text[i] === '“' || text[i] === '(')) i--
  if (i < 0) return true
  return '.!?:;\n—–'.includes(text[i]!)
}
