import { allBaseForms, baseForms } from './lexicon/lemmas.ts'
import { wordNet, type Synset } from './lexicon/wordnet.ts'

/** A text as `findWordContrasts` reads it: tokens as written, and each word's lower case ('' for punctuation and numbers). */
export interface WordList {
  readonly text: readonly string[]
  readonly lower: readonly string[]
}

// Words between a verb and its subject: auxiliaries, modals, adverbs of time.
const BEFORE_VERB = new Set([
  'is', 'are', 'was', 'were', 'be', 'been', 'being', 'has', 'have', 'had', 'do', 'does', 'did', 'will', 'would', 'can', 'could',
  'should', 'must', 'may', 'might', 'shall', 'just', 'already', 'also', 'then', 'now', 'finally', 'successfully',
])
const BE_FORMS = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'being'])
// Object pronouns read as their subject form, so "I sent" meets "from me".
const SUBJECT_FORM: Readonly<Record<string, string>> = { me: 'i', us: 'we', him: 'he', her: 'she', them: 'they' }
// Prepositions that introduce another participant of an exchange ("to Maria", "from me", "by us").
const PARTICIPANT_PREPOSITIONS = new Set(['to', 'from', 'by', 'with'])
const LOCATIVES = new Set(['in', 'under', 'at', 'on', 'inside', 'within', 'beneath', 'below'])
// Support verbs: with a noun made from a verb they say that verb ("send a reminder" = "remind").
const SUPPORT_VERBS = new Set(['give', 'send', 'make', 'do', 'take', 'have', 'get', 'provide', 'offer', 'issue', 'place', 'put', 'leave', 'pay', 'perform', 'conduct', 'carry'])
const CLAUSE_END = /^[.!?;:()\u2014\u2013"“”]$/
// How far after a verb its object and complements are looked for.
const CLAUSE_SPAN = 8
const COMMON_SENSES = 3
// WordNet's verb.perception file ("see", "find", "notice").
const PERCEPTION = 39

/**
 * Whether a verb of one text (`x`, a token index of `a`) and a different verb of the other
 * (`y` in `b`) still tell of the same event, so they are no changed action or opposite:
 * - the roles are swapped: one verb gets what the other gives and each subject is the other's
 *   partner ("I sold the car to Maria" / "Maria bought the car from me"; "I sent the report to
 *   John" / "John received it from me");
 * - one is a support verb with a noun made from the other ("I'll remind you" / "I'll send you
 *   a reminder");
 * - both say where a thing is: a passive of keeping before a place ("the logs are stored in …")
 *   and "you can find / see it" there ("you can find the logs under …").
 *
 * @example
 * const sold = { text: ['I', 'sold', 'the', 'car', 'to', 'Maria', '.'], lower: ['i', 'sold', 'the', 'car', 'to', 'maria', ''] }
 * const bought = { text: ['Maria', 'bought', 'the', 'car', 'from', 'me', '.'], lower: ['maria', 'bought', 'the', 'car', 'from', 'me', ''] }
 * sameEvent(sold, 1, bought, 1) // true
 */
export function sameEvent(a: WordList, x: number, b: WordList, y: number): boolean {
  return rolesSwapped(a, x, b, y) || supportsVerb(b, y, a.lower[x]!) || supportsVerb(a, x, b.lower[y]!) || (saysWhere(a, x, 'passive') && saysWhere(b, y, 'finding')) || (saysWhere(a, x, 'finding') && saysWhere(b, y, 'passive'))
}

/** Two sides of one exchange: one verb gets what the other gives ("sold" / "bought", "sent" / "received"), and each subject is the other's partner. */
function rolesSwapped(a: WordList, x: number, b: WordList, y: number): boolean {
  if (isGettingVerb(a.lower[x]!) === isGettingVerb(b.lower[y]!)) return false
  const subjectA = subjectOf(a, x)
  const subjectB = subjectOf(b, y)
  if (subjectA === undefined || subjectB === undefined || subjectA === subjectB) return false
  return partnersOf(a, x).has(subjectB) && partnersOf(b, y).has(subjectA)
}

const gettingMemo = new Map<string, boolean>()

/** A verb of getting in one of its common senses: WordNet puts it under "get, acquire" within three steps (receive, buy, borrow, obtain). */
function isGettingVerb(word: string): boolean {
  let found = gettingMemo.get(word)
  if (found === undefined) {
    const wn = wordNet()
    const gets = (synset: Synset, depth: number): boolean =>
      synset.words.includes('acquire') || (depth > 0 && synset.pointers.some((pointer) => pointer.symbol === '@' && gets(wn.synset('verb', pointer.offset), depth - 1)))
    found = baseForms(word, 'verb').some((base) => wn.synsets(base, 'verb').slice(0, COMMON_SENSES).some((synset) => gets(synset, 3)))
    gettingMemo.set(word, found)
  }
  return found
}

/** The word a verb's subject ends with, past auxiliaries and modals ("Maria has just" → "maria"; "I'll" → "i"). */
function subjectOf(list: WordList, verb: number): string | undefined {
  for (let i = verb - 1; i >= 0; i--) {
    const word = list.lower[i]!
    if (word === '') return undefined
    const [head, clitic] = word.split("'")
    if (clitic !== undefined && clitic !== 's') return SUBJECT_FORM[head!] ?? head
    if (!BEFORE_VERB.has(word) && word !== 'not') return SUBJECT_FORM[word] ?? word
  }
  return undefined
}

/** The participants after a verb in its clause: a word after "to", "from", "by", "with", or right after the verb ("sent John the files"). */
function partnersOf(list: WordList, verb: number): Set<string> {
  const partners = new Set<string>()
  const first = list.lower[verb + 1]
  if (first) partners.add(SUBJECT_FORM[first] ?? first)
  for (let i = verb + 1; i < Math.min(list.lower.length - 1, verb + CLAUSE_SPAN); i++) {
    if (CLAUSE_END.test(list.text[i]!)) break
    if (!PARTICIPANT_PREPOSITIONS.has(list.lower[i]!)) continue
    // "to the customer": past a determiner.
    let at = i + 1
    if (/^(?:the|a|an|our|your|my|their|his|her)$/.test(list.lower[at] ?? '')) at++
    const partner = list.lower[at]
    if (partner) partners.add(SUBJECT_FORM[partner] ?? partner)
  }
  return partners
}

/** Whether a support verb (`list.lower[verb]`) has, in its clause, a noun WordNet derives from `other` ("send … a reminder" for "remind"). */
function supportsVerb(list: WordList, verb: number, other: string): boolean {
  if (!allBaseForms(list.lower[verb]!).some((base) => SUPPORT_VERBS.has(base))) return false
  const derived = nounsFrom(other)
  if (derived.size === 0) return false
  for (let i = verb + 1; i < Math.min(list.lower.length, verb + CLAUSE_SPAN); i++) {
    if (CLAUSE_END.test(list.text[i]!)) break
    if (baseForms(list.lower[i]!, 'noun').some((base) => derived.has(base))) return true
  }
  return false
}

const derivedMemo = new Map<string, ReadonlySet<string>>()

/** Nouns WordNet derives from a verb's senses: "remind" → reminder, "notify" → notification, notice. */
function nounsFrom(word: string): ReadonlySet<string> {
  const known = derivedMemo.get(word)
  if (known) return known
  const nouns = new Set<string>()
  const wn = wordNet()
  for (const base of baseForms(word, 'verb')) {
    for (const synset of wn.synsets(base, 'verb')) {
      const own = synset.words.findIndex((entry) => entry.toLowerCase() === base) + 1
      for (const pointer of synset.pointers) {
        // A derivation from this very word, not from a synonym of it.
        if (pointer.symbol !== '+' || pointer.pos !== 'noun' || pointer.source !== own) continue
        const target = wn.synset('noun', pointer.offset).words[pointer.target - 1]
        if (target) nouns.add(target.toLowerCase())
      }
    }
  }
  derivedMemo.set(word, nouns)
  return nouns
}

/**
 * Whether a verb says where its object is: `passive`, a participle after "is/are/was" right
 * before a place ("are stored in", "is kept under"); `finding`, a verb of perceiving or finding
 * after a generic "you" with a place later in its clause ("you can find the logs under …").
 */
function saysWhere(list: WordList, verb: number, how: 'passive' | 'finding'): boolean {
  if (how === 'passive') return BE_FORMS.has(list.lower[verb - 1] ?? '') && LOCATIVES.has(list.lower[verb + 1] ?? '') && baseForms(list.lower[verb]!, 'verb').length > 0
  if (subjectOf(list, verb) !== 'you' || !isFindingVerb(list.lower[verb]!)) return false
  for (let i = verb + 1; i < Math.min(list.lower.length, verb + CLAUSE_SPAN); i++) {
    if (CLAUSE_END.test(list.text[i]!)) break
    if (LOCATIVES.has(list.lower[i]!)) return true
  }
  return false
}

const findingMemo = new Map<string, boolean>()

/** A verb of perceiving or finding in one of its common senses: "see", "find", "locate", "spot". */
function isFindingVerb(word: string): boolean {
  let found = findingMemo.get(word)
  if (found === undefined) {
    const wn = wordNet()
    found = baseForms(word, 'verb').some((base) =>
      wn
        .synsets(base, 'verb')
        .slice(0, COMMON_SENSES)
        .some((synset) => synset.lexFile === PERCEPTION || synset.pointers.some((pointer) => pointer.symbol === '@' && wn.synset(pointer.pos, pointer.offset).words.includes('find'))),
    )
    findingMemo.set(word, found)
  }
  return found
}
