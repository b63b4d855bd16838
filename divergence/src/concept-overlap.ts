import type { CriticalToken } from './critical-tokens.ts'
import { compareQuantities, type Quantity } from './quantities.ts'
import { FUNCTION_WORDS, POLAR_FUNCTION_WORDS } from './function-words.ts'
import { allBaseForms } from './lexicon/lemmas.ts'
import { wordNet } from './lexicon/wordnet.ts'
import { synonymous } from './word-contrasts.ts'

const WORD = /[\p{L}][\p{L}\p{N}]*(?:['’][\p{L}]+)*/gu
// Particles that make a phrasal verb with the word before ("go up", "look into", "get back").
const PARTICLES = new Set(['up', 'down', 'out', 'over', 'off', 'on', 'in', 'into', 'back', 'away'])
const LIGHT_VERBS = new Set(['get', 'make', 'take', 'have', 'do', 'give', 'go', 'put', 'keep', 'come'])
// Past this many unmatched word pairs, WordNet relations are not consulted (cost bound; long texts rarely need them).
const MAX_RELATED_PAIRS = 400
// Past this many words, phrases are not looked up (cost bound: two lookups per word).
const MAX_PHRASE_TEXT_WORDS = 300

/**
 * How much two texts say the same, as concepts rather than spellings: F1 over their content
 * words and critical tokens, where a word matches another form of itself or a WordNet synonym
 * ("rise" / "go up", "business days" / "working days"), and a quantity matches
 * its equal in another unit ("2 hours" / "120 minutes", "15%" / "15 percent"). It rescues short,
 * heavily reworded paraphrases that share few exact words; the critical-token guard still
 * judges what changed.
 *
 * @example
 * import { extractCriticalTokens } from './critical-tokens.ts'
 * const a = 'Prices will rise next month.'
 * const b = 'Next month prices are going to go up.'
 * conceptOverlap(a, b, extractCriticalTokens(a), extractCriticalTokens(b)) > 0.7 // → true
 */
export function conceptOverlap(expected: string, received: string, criticalA: readonly CriticalToken[], criticalB: readonly CriticalToken[]): number {
  const a = concepts(expected, criticalA)
  const b = concepts(received, criticalB)
  // Nothing to compare on one side ("Hello." against ""): no evidence of a shared meaning.
  if (a.length === 0 || b.length === 0) return 0
  const matchedA = new Array<boolean>(a.length).fill(false)
  const matchedB = new Array<boolean>(b.length).fill(false)
  // Exact keys, then shared base forms, then (for few leftovers) WordNet relations.
  const pass = (same: (x: Concept, y: Concept) => boolean) => {
    a.forEach((x, i) => {
      b.forEach((y, j) => {
        if (!same(x, y)) return
        matchedA[i] = true
        matchedB[j] = true
      })
    })
  }
  pass((x, y) => x.key === y.key || (x.token !== undefined && y.token !== undefined && sameQuantity(x.token, y.token)))
  pass((x, y) => x.bases !== undefined && y.bases !== undefined && x.bases.some((base) => y.bases!.includes(base)))
  const leftA = a.filter((x, i) => !matchedA[i] && x.bases)
  const leftB = b.filter((y, j) => !matchedB[j] && y.bases)
  if (leftA.length * leftB.length <= MAX_RELATED_PAIRS) {
    pass((x, y) => leftA.includes(x) && leftB.includes(y) && synonymous(x.key, y.key))
  }
  // A phrase weighs as the words it stands for: "shopping list" counts as two concepts, matched or not.
  const share = (list: readonly Concept[], matched: readonly boolean[]) =>
    list.reduce((sum, concept, i) => sum + (matched[i] ? (concept.weight ?? 1) : 0), 0) / list.reduce((sum, concept) => sum + (concept.weight ?? 1), 0)
  const recall = share(a, matchedA)
  const precision = share(b, matchedB)
  return recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision)
}

interface Concept {
  key: string
  /** The critical token, for a quantity or date. */
  token?: CriticalToken
  /** WordNet base forms, for words (undefined for critical tokens). */
  bases?: readonly string[]
  /** How many content words a phrase stands for (1 when absent). */
  weight?: number
}

function concepts(text: string, critical: readonly CriticalToken[]): Concept[] {
  const list: Concept[] = []
  const covered = new Set<string>()
  for (const token of critical) {
    if (token.kind === 'entity' || token.kind === 'negation') continue
    for (const word of token.text.toLowerCase().match(WORD) ?? []) covered.add(word)
    list.push({ key: quantityKey(token), token })
  }
  const words = (text.toLowerCase().replace(/’/g, "'").match(WORD) ?? []).filter((word) => !covered.has(word))
  const wn = wordNet()
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    const next = words[i + 1]
    // "out of stock", "credit card": a phrase WordNet lists is one concept ("out_of_stock" is similar to "unavailable").
    const phrase = words.length <= MAX_PHRASE_TEXT_WORDS ? wordNetPhrase(words, i) : undefined
    if (phrase) {
      list.push({ key: phrase.key, bases: [phrase.key], weight: phrase.weight })
      i += phrase.length - 1
      continue
    }
    if (FUNCTION_WORDS.has(word) && !POLAR_FUNCTION_WORDS.has(word)) continue
    if (next && PARTICLES.has(next)) {
      // "go up" as one concept when WordNet has it ("go_up" ↔ "rise").
      const phrasal = allBaseForms(word).map((base) => `${base}_${next}`).find((candidate) => wn.has(candidate, 'verb'))
      if (phrasal) {
        list.push({ key: phrasal, bases: [phrasal] })
        i++
        continue
      }
    }
    const bases = allBaseForms(word)
    // "get", "make", "take": light verbs carry little of their own ("you get 15% off" = "a 15% discount").
    if (bases.some((base) => LIGHT_VERBS.has(base))) continue
    list.push({ key: word, bases: bases.length ? bases : [word] })
  }
  return list
}

/** The longest phrase of 3 or 2 words starting at `i` that WordNet lists, with a content word in it. */
function wordNetPhrase(words: readonly string[], i: number): { key: string; length: number; weight: number } | undefined {
  const wn = wordNet()
  for (let length = 3; length >= 2; length--) {
    if (i + length > words.length) continue
    const parts = words.slice(i, i + length)
    const weight = parts.filter((part) => !FUNCTION_WORDS.has(part) || POLAR_FUNCTION_WORDS.has(part)).length
    if (parts.every((part) => FUNCTION_WORDS.has(part))) continue
    const key = parts.join('_')
    if (wn.has(key)) return { key, length, weight: Math.max(1, weight) }
  }
  return undefined
}

/** Quantities in a unit that converts are keyed by their amount in the base unit: "2 hours" and "120 minutes" meet. */
function quantityKey(token: CriticalToken): string {
  const unit = token.quantity?.units[0]
  if (unit?.factor !== undefined) return `${token.kind}:${unit.dimension}:${Number(token.value) * unit.factor}`
  return `${token.kind}:${unit?.id ?? ''}:${token.value}`
}

function sameQuantity(x: CriticalToken, y: CriticalToken): boolean {
  if (x.kind !== 'number' || y.kind !== 'number') return false
  const quantity = (token: CriticalToken): Quantity => token.quantity ?? { value: token.value, units: [], unitText: undefined, written: token.text }
  return compareQuantities(quantity(x), quantity(y)) === 'same'
}
