import { FUNCTION_WORDS, POLAR_FUNCTION_WORDS } from './function-words.ts'
import { allBaseForms, baseForms } from './lexicon/lemmas.ts'
import { isCommonWord } from './names.ts'
import { WORDNET_POS, wordNet, type Synset } from './lexicon/wordnet.ts'
import { sameEvent } from './same-event.ts'

/** Two words, one per text, that stand in a contrast: opposites, different actions, different names or qualities. */
export interface WordContrast {
  kind: 'opposite' | 'action' | 'entity'
  /** As written in the expected text ("approved", "green plan"). */
  expected: string
  /** As written in the received text. */
  received: string
  /** Lower-case words of the expected text consumed by the contrast (a negation cue among them is not a negation). */
  words: readonly string[]
}

interface Word {
  lower: string
  text: string
  /** Previous word, `<s>` at a sentence start. */
  previous: string
  /** Next word, `<p>` before punctuation or the end. */
  next: string
  index: number
}

// Words after which the next word is used as a verb: subjects, modals, "to", "please".
const VERB_CONTEXT = new Set([
  'i', 'you', 'we', 'they', 'he', 'she', 'it', 'to', 'will', 'would', 'can', 'could', 'should', 'must', 'may', 'might', 'shall',
  'please', 'let', "'ll", "i'll", "we'll", "you'll", "i've", "we've", 'also', 'just', 'then', 'and', 'who', 'that', 'which', 'not', 'never', 'already',
])
const AUXILIARIES = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'being', 'has', 'have', 'had', 'get', 'got', 'gets'])
// Words that look like content but are quantities: "million" in "$2.4 million" is not an object.
const QUANTITY_WORDS = /^(?:hundred|thousand|million|billion|dozen|percent|per)$/

/**
 * Finds the words of one text replaced by a contrasting word in the other. The words compared
 * are those one text has and the other has in no form, less `skip` (the words of numbers,
 * dates and names, which their own kinds compare) ("approved" vs "rejected"; "archived" vs
 * "archive" is the same word). Then, with WordNet:
 * - `opposite`: antonyms, directly or through a synonym ("approve" ↔ "disapprove, reject");
 * - `action`: a different verb on the same object ("archived the report" / "deleted the report"),
 *   unless WordNet relates the two verbs (synonyms, one a kind of the other, or two kinds of one
 *   thing: "describe" / "explain");
 * - a word in the same slot (same word before and after) that WordNet does not relate to it:
 *   "the green plan" / "the blue plan" (`entity`), "is sunny." / "is rainy." (`opposite`).
 *
 * @example
 * findWordContrasts('Your loan was approved.', 'Your loan was rejected.')
 * // [{ kind: 'opposite', expected: 'approved', received: 'rejected', words: ['approved'] }]
 */
export function findWordContrasts(expected: string, received: string, skip: ReadonlySet<string> = new Set()): WordContrast[] {
  const a = tokens(expected)
  const b = tokens(received)
  const firstA = firstComparable(a)
  const firstB = firstComparable(b)
  let onlyA = oneSided(a, firstA, firstB, skip)
  let onlyB = oneSided(b, firstB, firstA, skip)
  if (onlyA.length === 0 || onlyB.length === 0) return []
  // "archived" and "archive", "rose" and "rise": one word in two forms.
  const basesA = new Set(onlyA.flatMap((word) => bases(word.lower)))
  const basesB = new Set(onlyB.flatMap((word) => bases(word.lower)))
  onlyA = onlyA.filter((word) => !bases(word.lower).some((base) => basesB.has(base)))
  onlyB = onlyB.filter((word) => !bases(word.lower).some((base) => basesA.has(base)))

  const contrasts: WordContrast[] = []
  const used = new Set<Word>()
  const take = (kind: WordContrast['kind'], x: Word, y: Word, expectedText = x.text, receivedText = y.text) => {
    // Two verbs of one event: roles swapped, a support verb, two ways of saying where a thing is.
    if (kind !== 'entity' && sameEvent(a, x.index, b, y.index)) return
    used.add(x)
    used.add(y)
    contrasts.push({ kind, expected: expectedText, received: receivedText, words: [x.lower] })
  }

  // Opposites, looked up both ways (antonymy in WordNet is not always symmetric once synonyms join in).
  const byBase = (list: readonly Word[]) => {
    const index = new Map<string, Word>()
    for (const word of list) for (const base of bases(word.lower)) if (!index.has(base)) index.set(base, word)
    return index
  }
  const indexA = byBase(onlyA)
  const indexB = byBase(onlyB)
  const pairs = new Map<Word, Word>()
  for (const x of onlyA) {
    const y = firstAntonym(antonymsOf(x.lower), indexB)
    if (y) pairs.set(x, y)
  }
  for (const y of onlyB) {
    const x = firstAntonym(antonymsOf(y.lower), indexA)
    if (x && !pairs.has(x)) pairs.set(x, y)
  }
  for (const x of onlyA) {
    const y = pairs.get(x)
    if (y && !used.has(y)) take('opposite', x, y)
  }

  // "A is faster than B" = "B is slower than A": two opposites whose other words swapped places.
  if (contrasts.length && hasSwappedOpposites(a, b)) contrasts.shift()

  // Capitalised words inside a sentence are names, compared as such (`findNames`).
  const content = (list: readonly Word[]) => list.filter((word) => !used.has(word) && !FUNCTION_WORDS.has(word.lower) && (word.previous === '<s>' || !isCapital(word.text)))
  const contentA = content(onlyA)
  const contentB = content(onlyB)
  // Same slot: the same word before and after ("the green plan" / "the blue plan").
  const slots = new Map<string, Word[]>()
  for (const y of contentB) {
    const key = `${y.previous} ${y.next}`
    slots.set(key, [...(slots.get(key) ?? []), y])
  }
  for (const x of contentA) {
    for (const y of slots.get(`${x.previous} ${x.next}`) ?? []) {
      if (used.has(y) || used.has(x)) continue
      if (x.previous === '<s>') {
        // At a sentence start only a name replaced by a name counts: "Maria will call" / "Daniel will call".
        if (isCapitalisedName(x.text, y.text)) take('entity', x, y)
        continue
      }
      const verbs = isVerbLike(x) && isVerbLike(y)
      if (related(x.lower, y.lower, verbs)) continue
      if (verbs) take('action', x, y)
      else if (x.next !== '<p>' && hasNounReading(x.next)) take('entity', x, y, `${x.text} ${x.next}`, `${y.text} ${y.next}`)
      else take('opposite', x, y)
    }
  }

  // A different verb on the same object, wherever it stands ("I archived the report" / "The report was deleted").
  const verbsA = contentA.filter((word) => !used.has(word) && isVerbUse(word)).map((word) => ({ word, objects: objectsOf(a, word) }))
  const verbsB = contentB.filter((word) => !used.has(word) && isVerbUse(word)).map((word) => ({ word, objects: objectsOf(b, word) }))
  for (const x of verbsA) {
    for (const y of verbsB) {
      if (used.has(y.word) || used.has(x.word) || ![...x.objects].some((object) => y.objects.has(object))) continue
      if (!related(x.word.lower, y.word.lower, true)) take('action', x.word, y.word)
    }
  }
  return contrasts
}

/**
 * Whether two words both texts share are antonyms of each other and appear in the opposite
 * order ("the new version … the old one" / "the old version … the new one").
 */
function hasSwappedOpposites(a: Tokens, b: Tokens): boolean {
  const firstIn = (list: Tokens) => {
    const first = new Map<string, number>()
    list.lower.forEach((word, i) => {
      if (word !== '' && !first.has(word)) first.set(word, i)
    })
    return first
  }
  const positionsA = firstIn(a)
  const positionsB = firstIn(b)
  const shared = [...positionsA.keys()].filter((word) => positionsB.has(word) && !FUNCTION_WORDS.has(word))
  for (const x of shared) {
    const opposites = antonymsOf(x)
    for (const y of shared) {
      if (x >= y || !bases(y).some((base) => opposites.has(base))) continue
      if (positionsA.get(x)! < positionsA.get(y)! !== positionsB.get(x)! < positionsB.get(y)!) return true
    }
  }
  return false
}


// Words (any holding a digit is dropped by `isPlainWord`) and the punctuation that ends a slot.
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*|[.!?;:,()\u2014\u2013"“”]/gu
const ASCII_TOKEN = /[A-Za-z0-9]+(?:'[A-Za-z]+)*|[.!?;:,()"]/g
const NON_ASCII = /[^\x00-\x7f]/
// Emails, URLs and paths are other kinds' business (email, url, entity): read as a boundary.
const ADDRESS = /[^\s@/\\]*[@/\\]\S*/g
const HAS_ADDRESS = /[@/\\]/

/** A text as tokens, with each word's lower case (empty for punctuation and words holding digits). */
interface Tokens {
  text: readonly string[]
  lower: readonly string[]
}

function tokens(source: string): Tokens {
  const prepared = HAS_ADDRESS.test(source) ? source.replace(ADDRESS, ' , ') : source
  const text = prepared.match(NON_ASCII.test(prepared) ? TOKEN : ASCII_TOKEN) ?? []
  const lower = new Array<string>(text.length)
  const curly = prepared.includes('’')
  for (let i = 0; i < text.length; i++) {
    const token = text[i]!
    // toLowerCase copies even a word already in lower case: most are.
    lower[i] = isPlainWord(token) ? (curly ? token.toLowerCase().replace(/’/g, "'") : isLowerAscii(token) ? token : token.toLowerCase()) : ''
  }
  return { text, lower }
}

/** Each comparable word of a text (content words and polar function words) and where it first stands. */
function firstComparable(list: Tokens): Map<string, number> {
  const first = new Map<string, number>()
  for (let i = 0; i < list.lower.length; i++) {
    const lower = list.lower[i]!
    if (lower !== '' && !first.has(lower) && isComparable(lower)) first.set(lower, i)
  }
  return first
}

/** The words of one text the other lacks (first occurrence of each, in order), with their neighbours. */
function oneSided(own: Tokens, ownFirst: ReadonlyMap<string, number>, otherFirst: ReadonlyMap<string, number>, skip: ReadonlySet<string>): Word[] {
  const list: Word[] = []
  // forEach: iterating entries would make a [key, value] pair per word.
  ownFirst.forEach((i, lower) => {
    if (otherFirst.has(lower) || skip.has(lower)) return
    list.push({ lower, text: own.text[i]!, previous: own.lower[i - 1] || '<s>', next: own.lower[i + 1] || '<p>', index: i })
  })
  return list
}

const LETTER_START = /^\p{L}/u

/** A word of letters: not punctuation, and not a number or id, which the pattern also matches. */
function isPlainWord(token: string): boolean {
  const code = token.charCodeAt(0)
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code > 127 && LETTER_START.test(token))
  if (!letter) return false
  for (let i = 1; i < token.length; i++) {
    const c = token.charCodeAt(i)
    if (c >= 48 && c <= 57) return false
  }
  return true
}

function isLowerAscii(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i)
    if ((c >= 65 && c <= 90) || c > 127) return false
  }
  return true
}

/** The first indexed word that is one of `antonyms`, iterating whichever of the two is smaller. */
function firstAntonym(antonyms: ReadonlySet<string>, index: ReadonlyMap<string, Word>): Word | undefined {
  if (antonyms.size === 0) return undefined
  if (antonyms.size <= index.size) {
    for (const antonym of antonyms) if (index.has(antonym)) return index.get(antonym)
  } else {
    for (const [base, word] of index) if (antonyms.has(base)) return word
  }
  return undefined
}

function isComparable(lower: string): boolean {
  return !FUNCTION_WORDS.has(lower) || POLAR_FUNCTION_WORDS.has(lower)
}

function bases(lower: string): readonly string[] {
  const forms = allBaseForms(lower)
  return forms.length ? forms : [lower]
}

const antonymMemo = new Map<string, ReadonlySet<string>>()

/**
 * Antonyms of a word in every sense and part of speech, with the synonyms of each antonym:
 * "approve" → "disapprove" and so "reject", which shares that sense.
 */
function antonymsOf(lower: string): ReadonlySet<string> {
  let found = antonymMemo.get(lower)
  if (found) return found
  const wn = wordNet()
  const result = new Set<string>()
  for (const base of bases(lower)) {
    let adjectiveSense = 0
    for (const synset of wn.synsets(base)) {
      const own = synset.words.findIndex((word) => word.toLowerCase() === base) + 1
      // Adjectives also have indirect antonyms: a satellite ("out": out of power) takes the
      // antonyms of the head it is similar to ("unsuccessful" ↔ "successful", and so "in").
      // Only in its common senses: rare ones link near any two adjectives ("latest", "newest").
      const heads = [{ synset, own }]
      if (synset.pos === 'adj' && adjectiveSense++ < COMMON_SENSES) for (const pointer of synset.pointers) if (pointer.symbol === '&') heads.push({ synset: wn.synset(pointer.pos, pointer.offset), own: 0 })
      for (const head of heads) {
        for (const pointer of head.synset.pointers) {
          if (pointer.symbol !== '!' || (head.own !== 0 && pointer.source !== 0 && pointer.source !== head.own)) continue
          const antonym = wn.synset(pointer.pos, pointer.offset)
          for (const word of antonym.words) result.add(word.toLowerCase())
          if (antonym.pos === 'adj' && head.own === 0) for (const similar of antonym.pointers) if (similar.symbol === '&') for (const word of wn.synset(similar.pos, similar.offset).words) result.add(word.toLowerCase())
        }
      }
    }
  }
  antonymMemo.set(lower, result)
  return result
}

/** A verb where it stands: WordNet knows it as a verb and it follows a subject, modal or "to", or is a participle after an auxiliary. */
function isVerbUse(word: Word): boolean {
  if (baseForms(word.lower, 'verb').length === 0) return false
  if (VERB_CONTEXT.has(word.previous)) return true
  if (AUXILIARIES.has(word.previous) && /(?:ed|en|wn|ne)$/.test(word.lower)) return true
  // "The script wipes the database": a present form after a noun, before its object.
  if (/[^s]s$/.test(word.lower) && (DETERMINERS.has(word.next) || PARTICLES.has(word.next)) && hasNounReading(word.previous) && !DETERMINERS.has(word.previous)) return true
  // "The agent refunded the order": a past form followed by its object.
  return /ed$/.test(word.lower) && (PREPOSITIONS.has(word.next) || word.next === 'the' || word.next === 'a' || word.next === 'an' || word.next === 'your' || word.next === 'my' || word.next === 'our' || word.next === 'their' || word.next === 'his' || word.next === 'her' || word.next === 'it' || word.next === 'them' || word.next === 'you')
}

function isCapital(word: string): boolean {
  return word[0] !== word[0]!.toLowerCase()
}

/** Two capitalised words of which at least one is a name rather than a common word ("Daniel", not "Sure"). */
function isCapitalisedName(x: string, y: string): boolean {
  return isCapital(x) && isCapital(y) && (!isCommonWord(x) || !isCommonWord(y))
}

/** A verb where it stands, or a word WordNet knows only as a verb ("describes"). */
function isVerbLike(word: Word): boolean {
  return isVerbUse(word) || (baseForms(word.lower, 'verb').length > 0 && baseForms(word.lower, 'noun').length === 0 && baseForms(word.lower, 'adj').length === 0)
}

function hasNounReading(lower: string): boolean {
  return !FUNCTION_WORDS.has(lower) && baseForms(lower, 'noun').length > 0
}

const BE_FORMS = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'being', 'get', 'got', 'gets'])
const PARTICLES = new Set(['up', 'down', 'out', 'off', 'over', 'away', 'back'])
const PREPOSITIONS = new Set(['to', 'at', 'for', 'about', 'with', 'on', 'into', 'from'])
const MODALS = new Set(['will', 'would', 'can', 'could', 'should', 'must', 'may', 'might', 'shall', 'not'])
// Words a verb's object may open with ("archived the old report").
const DETERMINERS = new Set(['the', 'a', 'an', 'your', 'my', 'our', 'their', 'his', 'her', 'its', 'this', 'that', 'these', 'those', 'all', 'some', 'any'])

/**
 * The words a verb acts on: its direct object (up to two words after it, past determiners,
 * before any preposition), or for a passive ("the report has been deleted") the words before
 * its auxiliaries.
 */
function objectsOf(list: Tokens, verb: Word): Set<string> {
  const objects = new Set<string>()
  const collect = (from: number, step: 1 | -1) => {
    let found = 0
    for (let i = from; i >= 0 && i < list.lower.length && found < 2; i += step) {
      const word = list.lower[i]!
      // Punctuation (and a number) ends the object.
      if (word === '') break
      if (DETERMINERS.has(word) || (step === -1 && (AUXILIARIES.has(word) || MODALS.has(word)))) continue
      if (FUNCTION_WORDS.has(word) || QUANTITY_WORDS.test(word)) break
      if (hasNounReading(word)) for (const base of bases(word)) objects.add(base)
      found++
    }
  }
  // "replied to the email", "backs up the database": one preposition or particle may open the object.
  const first = list.lower[verb.index + 1]
  collect(verb.index + (first !== undefined && (PREPOSITIONS.has(first) || PARTICLES.has(first)) ? 2 : 1), 1)
  // Only a passive ("was deleted", not "has shipped") has its object before it.
  if (BE_FORMS.has(verb.previous)) collect(verb.index - 1, -1)
  return objects
}

const relatedMemo = new Map<string, boolean>()
// WordNet's verb.cognition, verb.communication and verb.perception files.
const SIBLING_FILES = new Set([31, 32, 39])

/**
 * Whether WordNet relates two words closely enough that swapping them keeps the meaning:
 * a shared sense, or any direct link but antonymy (similar to, derived from, one a kind of the
 * other). Two verbs that are kinds of one thing also count ("describe" and "explain" both
 * inform); two nouns or adjectives that are kinds of one thing do not ("green" and "blue").
 *
 * @example
 * related('describe', 'explain', true) // → true
 * related('green', 'blue', false) // → false
 */
export function related(x: string, y: string, verbs: boolean): boolean {
  const key = `${verbs ? 'v' : 'o'}:${x}:${y}`
  let found = relatedMemo.get(key)
  if (found === undefined) {
    // One word built on the other ("mentor" / "mentorship", "account" / "accounting") is derivation, not contrast.
    const [short, long] = x.length <= y.length ? [x, y] : [y, x]
    found = (short.length >= 4 && long.startsWith(short)) || relatedOneWay(x, y, verbs) || relatedOneWay(y, x, verbs)
    relatedMemo.set(key, found)
    relatedMemo.set(`${verbs ? 'v' : 'o'}:${y}:${x}`, found)
  }
  return found
}

function relatedOneWay(x: string, y: string, verbs: boolean): boolean {
  const wn = wordNet()
  const targets = new Set(bases(y))
  const contains = (synset: Synset) => synset.words.some((word) => targets.has(word.toLowerCase()))
  const hypernymsY = new Set<number>()
  // Two ways of saying, thinking or perceiving one thing ("describe", "explain": both inform) are
  // one action; two kinds of changing, making or owning ("rent", "buy": both acquire) are not,
  // nor two means of saying it ("call", "email": a verb named after its noun names the means).
  if (verbs) {
    for (const base of targets) {
      for (const synset of wn.synsets(base, 'verb')) {
        if (!SIBLING_FILES.has(synset.lexFile) || namedAfterNoun(synset, base)) continue
        for (const pointer of synset.pointers) if (pointer.symbol === '@') hypernymsY.add(pointer.offset)
      }
    }
  }
  for (const base of bases(x)) {
    for (const synset of wn.synsets(base, verbs ? 'verb' : undefined)) {
      if (contains(synset)) return true
      const sibling = verbs && SIBLING_FILES.has(synset.lexFile) && !namedAfterNoun(synset, base)
      for (const pointer of synset.pointers) {
        if (pointer.symbol === '!') continue
        if (sibling && pointer.symbol === '@' && hypernymsY.has(pointer.offset)) return true
        const target = wn.synset(pointer.pos, pointer.offset)
        if (contains(target)) return true
        // A kind of a kind of: "expire" → "discontinue" → "end".
        if (pointer.symbol === '@' || pointer.symbol === '@i') {
          for (const up of target.pointers) if (up.symbol === '@' && contains(wn.synset(up.pos, up.offset))) return true
        }
      }
    }
  }
  return false
}

/** Whether a verb sense of `base` derives from a noun spelt the same ("email" the verb from "email" the noun; "telephone"). */
function namedAfterNoun(synset: Synset, base: string): boolean {
  const own = synset.words.findIndex((word) => word.toLowerCase() === base) + 1
  const wn = wordNet()
  return synset.pointers.some((pointer) => pointer.symbol === '+' && pointer.pos === 'noun' && pointer.source === own && wn.synset('noun', pointer.offset).words[pointer.target - 1]?.toLowerCase() === base)
}

// Links that keep a word's meaning: similar to, derived from, verb group, also see, pertains to, participle of, attribute.
const NEAR_SYNONYM_LINKS = new Set(['&', '+', '$', '^', '\\', '<', '='])
const synonymMemo = new Map<string, boolean>()
const COMMON_SENSES = 3

/**
 * Whether two words share a WordNet sense or a meaning-keeping link (similar to, derived from,
 * verb group, also see): "rise" / "go_up", "business" / "working" do; "capital" / "city" (a kind
 * of) and "Canberra" / "Sydney" (two of a kind) do not. Used to match concepts across rewordings.
 *
 * @example
 * synonymous('purchase', 'buy') // true
 */
export function synonymous(x: string, y: string): boolean {
  const key = x < y ? `${x}:${y}` : `${y}:${x}`
  let found = synonymMemo.get(key)
  if (found === undefined) {
    found = synonymousOneWay(x, y) || synonymousOneWay(y, x)
    synonymMemo.set(key, found)
  }
  return found
}

function synonymousOneWay(x: string, y: string): boolean {
  const wn = wordNet()
  const targets = new Set(bases(y))
  const contains = (synset: Synset) => synset.words.some((word) => targets.has(word.toLowerCase()))
  for (const base of bases(x)) {
    for (const pos of WORDNET_POS) {
      // The most frequent senses only: rare ones make near any two words synonyms ("light" and "fair" skin).
      for (const synset of wn.synsets(base, pos).slice(0, COMMON_SENSES)) {
        if (contains(synset)) return true
        for (const pointer of synset.pointers) if (NEAR_SYNONYM_LINKS.has(pointer.symbol) && contains(wn.synset(pointer.pos, pointer.offset))) return true
      }
    }
  }
  return false
}
