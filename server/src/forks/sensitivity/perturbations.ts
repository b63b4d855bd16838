import { createHash } from 'node:crypto'
import type { JsonValue } from '@retrace/cassettes'

/**
 * One way to perturb a prompt. `apply` gets the text and a seeded random source in [0, 1) and
 * returns the perturbed text, or undefined when it does not apply (no number to change, one
 * sentence only); it must be deterministic for a given random sequence.
 */
export interface Perturbation {
  name: string
  description: string
  apply(text: string, random: () => number): string | undefined
}

/**
 * Declares a perturbation (pass it to `startServer({ perturbations })` to offer it).
 *
 * @example
 * const reversed = definePerturbation({ name: 'reversed', description: 'Words in reverse order.', apply: (text) => text.split(' ').reverse().join(' ') })
 * reversed.apply('book two tickets', () => 0.5) // → 'tickets two book'
 */
export function definePerturbation(perturbation: Perturbation): Perturbation {
  if (!/^[a-z][a-z0-9_-]{0,40}$/.test(perturbation.name)) throw new Error(`perturbation name "${perturbation.name}": lower-case letters, digits, - and _ only`)
  return perturbation
}

const pick = <T,>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)]!
const WORD = /[A-Za-z][A-Za-z'’]*/g

/** Word matches (start, text) of a text. */
function words(text: string): Array<{ start: number; text: string }> {
  return [...text.matchAll(WORD)].map((match) => ({ start: match.index, text: match[0] }))
}

function replaceAt(text: string, start: number, length: number, replacement: string): string {
  return text.slice(0, start) + replacement + text.slice(start + length)
}

function typo(word: string, random: () => number): string {
  const i = 1 + Math.floor(random() * (word.length - 2))
  switch (Math.floor(random() * 3)) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) // swap two letters
    case 1:
      return word.slice(0, i) + word.slice(i + 1) // drop one
    default:
      return word.slice(0, i) + word[i] + word.slice(i) // double one
  }
}

const PARAPHRASES: ReadonlyArray<[RegExp, string]> = [
  [/\bWhat is\b/, 'What’s'],
  [/\bwhat is\b/, 'what’s'],
  [/\bCan you\b/, 'Could you'],
  [/\bcan you\b/, 'could you'],
  [/\bplease\b/i, 'kindly'],
  [/\btell me\b/i, 'let me know'],
  [/\bI want\b/, 'I would like'],
  [/\bI need\b/, 'I require'],
  [/\bhelp me\b/i, 'assist me'],
  [/\bhow do I\b/i, 'what is the way to'],
]
const TEMPLATES = ['Please answer this: {}', 'Quick question: {}', 'I would like to know: {}', '{} Thanks!', 'Here is my request. {}']
const EMPHASES = ['IMPORTANT: {}', '{} This is urgent!', '{}!!', 'Please pay close attention. {}']

/**
 * The built-in perturbations, in the order they are drawn:
 * - `typos`: one or two words get a typo (two letters swapped, one dropped or doubled);
 * - `case`: the text lower-cased, title-cased, or one word's first letter flipped;
 * - `whitespace`: spaces doubled between some words, a newline, or spaces around the text;
 * - `word_order`: two neighbouring words swapped;
 * - `paraphrase`: a common phrase reworded ("What is" → "What’s", "Can you" → "Could you", …), else the text wrapped in a template ("Quick question: …");
 * - `numbers`: one number changed (+1, −1 or ×10); only for texts with a number;
 * - `dropped_sentence`: one sentence left out; only for texts of two sentences or more;
 * - `emphasis`: "IMPORTANT:" before, "This is urgent!" or "!!" after, or a word in capitals.
 */
export const PERTURBATIONS: readonly Perturbation[] = [
  definePerturbation({
    name: 'typos',
    description: 'One or two words get a typo: two letters swapped, one dropped or doubled.',
    apply(text, random) {
      const candidates = words(text).filter((word) => word.text.length >= 4)
      if (!candidates.length) return undefined
      let out = text
      const count = Math.min(candidates.length, 1 + Math.floor(random() * 2))
      const chosen = new Set<number>()
      while (chosen.size < count) chosen.add(Math.floor(random() * candidates.length))
      for (const index of [...chosen].sort((a, b) => b - a)) {
        const word = candidates[index]!
        out = replaceAt(out, word.start, word.text.length, typo(word.text, random))
      }
      return out === text ? undefined : out
    },
  }),
  definePerturbation({
    name: 'case',
    description: 'Lower-cased, Title Cased, or one word’s first letter flipped.',
    apply(text, random) {
      const choice = Math.floor(random() * 3)
      if (choice === 0 && text.toLowerCase() !== text) return text.toLowerCase()
      if (choice === 1) {
        const titled = text.replace(WORD, (word) => word[0]!.toUpperCase() + word.slice(1))
        if (titled !== text) return titled
      }
      const list = words(text)
      if (!list.length) return undefined
      const word = pick(list, random)
      const first = word.text[0]!
      const flipped = first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase()
      return replaceAt(text, word.start, 1, flipped)
    },
  }),
  definePerturbation({
    name: 'whitespace',
    description: 'Spaces doubled between some words, a newline inserted, or spaces around the text.',
    apply(text, random) {
      const gaps = [...text.matchAll(/ /g)].map((match) => match.index)
      const choice = Math.floor(random() * 3)
      if (choice === 2 || !gaps.length) return `  ${text} `
      if (choice === 1) return replaceAt(text, pick(gaps, random), 1, '\n')
      let out = text
      const chosen = new Set<number>()
      const count = Math.min(gaps.length, 1 + Math.floor(random() * 3))
      while (chosen.size < count) chosen.add(pick(gaps, random))
      for (const gap of [...chosen].sort((a, b) => b - a)) out = replaceAt(out, gap, 1, '  ')
      return out
    },
  }),
  definePerturbation({
    name: 'word_order',
    description: 'Two neighbouring words swapped.',
    apply(text, random) {
      const list = words(text)
      const pairs = list.slice(0, -1).flatMap((word, index) => (/^[^.!?]*$/.test(text.slice(word.start, list[index + 1]!.start)) ? [index] : []))
      if (!pairs.length) return undefined
      const index = pick(pairs, random)
      const a = list[index]!
      const b = list[index + 1]!
      const between = text.slice(a.start + a.text.length, b.start)
      return text.slice(0, a.start) + b.text + between + a.text + text.slice(b.start + b.text.length)
    },
  }),
  definePerturbation({
    name: 'paraphrase',
    description: 'A common phrase reworded ("What is" → "What’s", "Can you" → "Could you"), else the text wrapped in a template ("Quick question: …").',
    apply(text, random) {
      const applicable = PARAPHRASES.filter(([pattern]) => pattern.test(text))
      if (applicable.length && random() < 0.6) {
        const [pattern, replacement] = pick(applicable, random)
        return text.replace(pattern, replacement)
      }
      return pick(TEMPLATES, random).replace('{}', text)
    },
  }),
  definePerturbation({
    name: 'numbers',
    description: 'One number changed: +1, −1 or ×10.',
    apply(text, random) {
      const numbers = [...text.matchAll(/\d+(?:\.\d+)?/g)]
      if (!numbers.length) return undefined
      const match = pick(numbers, random)
      const value = Number(match[0])
      const choice = Math.floor(random() * 3)
      const changed = choice === 0 ? value + 1 : choice === 1 && value >= 1 ? value - 1 : value * 10
      const formatted = match[0].includes('.') ? changed.toFixed(match[0].split('.')[1]!.length) : String(changed)
      return formatted === match[0] ? replaceAt(text, match.index, match[0].length, String(value + 1)) : replaceAt(text, match.index, match[0].length, formatted)
    },
  }),
  definePerturbation({
    name: 'dropped_sentence',
    description: 'One sentence left out (texts of two sentences or more).',
    apply(text, random) {
      const sentences = text.split(/(?<=[.!?])\s+/).filter((sentence) => sentence.trim())
      if (sentences.length < 2) return undefined
      const drop = Math.floor(random() * sentences.length)
      return sentences.filter((_, index) => index !== drop).join(' ')
    },
  }),
  definePerturbation({
    name: 'emphasis',
    description: '"IMPORTANT:" before, "This is urgent!" or "!!" after, or a word in capitals.',
    apply(text, random) {
      const list = words(text).filter((word) => word.text.length >= 4)
      if (list.length && random() < 0.3) {
        const word = pick(list, random)
        return replaceAt(text, word.start, word.text.length, word.text.toUpperCase())
      }
      return pick(EMPHASES, random).replace('{}', text)
    },
  }),
]

/**
 * A seeded random source in [0, 1): mulberry32 over a 32-bit seed.
 *
 * @example
 * const a = seededRandom('7')
 * const b = seededRandom('7')
 * ;[a(), a()] // → [b(), b()]
 * a() >= 0 && a() < 1 // → true
 */
export function seededRandom(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0)
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** One generated variant. */
export interface PerturbedVariant {
  label: string
  /** The perturbation used (another one when the one drawn did not apply to the text). */
  kind: string
  /** The text that was perturbed, changed. */
  text: string
  /** The whole new input: the original with that text replaced. */
  input: JsonValue
}

/** Where the text to perturb sits in an input: the first argument, else the longest string inside it. */
function textSlot(input: JsonValue): { get: () => string; set: (text: string) => JsonValue } | undefined {
  if (typeof input === 'string') return { get: () => input, set: (text) => text }
  let best: { path: Array<string | number>; text: string } | undefined
  const walk = (value: JsonValue, path: Array<string | number>) => {
    if (typeof value === 'string') {
      if (!best || value.length > best.text.length) best = { path, text: value }
    } else if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index]))
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item as JsonValue, [...path, key])
  }
  // In an argument list, the first argument that holds text.
  if (Array.isArray(input)) {
    for (const [index, argument] of input.entries()) {
      const slot = textSlot(argument as JsonValue)
      if (slot) return { get: slot.get, set: (text) => input.map((item, i) => (i === index ? slot.set(text) : item)) as JsonValue }
    }
    return undefined
  }
  walk(input, [])
  const found = best
  if (!found || !found.text.trim()) return undefined
  return {
    get: () => found.text,
    set: (text) => {
      const copy = structuredClone(input) as Record<string | number, JsonValue>
      let target: Record<string | number, JsonValue> = copy
      for (const key of found.path.slice(0, -1)) target = target[key] as Record<string | number, JsonValue>
      target[found.path.at(-1)!] = text
      return copy as JsonValue
    },
  }
}

/**
 * k deterministic perturbations of an input: the same input, k, seed and perturbations give
 * the same variants. The kinds are dealt in a seeded order, one per variant, round robin over
 * the kinds that apply to the text (no number to change: `numbers` is passed over), so each
 * is used once before any is used twice. The text perturbed
 * is the input itself when it is a string; in an argument list, the first argument holding
 * text; in an object, its longest string. Returns undefined when the input holds no text.
 *
 * @example
 * const variants = perturbInput(['Book 2 tickets to Paris.'], { k: 3, seed: 7 })!
 * variants.length // → 3
 * // The same seed, the same variants:
 * perturbInput(['Book 2 tickets to Paris.'], { k: 3, seed: 7 }) // → variants
 * // No text to perturb:
 * perturbInput([42], { k: 3, seed: 7 }) // → undefined
 */
export function perturbInput(input: JsonValue, options: { k: number; seed: number | string; kinds?: readonly string[]; available?: readonly Perturbation[] }): PerturbedVariant[] | undefined {
  const slot = textSlot(input)
  if (!slot) return undefined
  const text = slot.get()
  const available = options.available ?? PERTURBATIONS
  const names = options.kinds?.length ? options.kinds : available.map((perturbation) => perturbation.name)
  const chosen = names.map((name) => available.find((perturbation) => perturbation.name === name)!).filter(Boolean)
  // The order the kinds are dealt in is part of the seed.
  const order = seededRandom(`${options.seed}:order`)
  const deck = chosen.map((perturbation) => ({ perturbation, key: order() })).sort((a, b) => a.key - b.key).map((entry) => entry.perturbation)
  const variants: PerturbedVariant[] = []
  const counts = new Map<string, number>()
  // Dealt in turn from where the last variant's kind was: a kind that does not apply is
  // passed over, so every kind that applies is used once before any is used twice.
  let cursor = 0
  for (let index = 0; index < options.k; index++) {
    const random = seededRandom(`${options.seed}:${index}`)
    let result: { kind: string; text: string } | undefined
    for (let offset = 0; offset < deck.length && !result; offset++) {
      const position = (cursor + offset) % deck.length
      const perturbation = deck[position]!
      const changed = perturbation.apply(text, random)
      if (changed !== undefined && changed !== text) {
        result = { kind: perturbation.name, text: changed }
        cursor = position + 1
      }
    }
    result ??= { kind: 'whitespace', text: `${text} ` }
    const count = (counts.get(result.kind) ?? 0) + 1
    counts.set(result.kind, count)
    variants.push({ label: `${result.kind}-${count}`, kind: result.kind, text: result.text, input: slot.set(result.text) })
  }
  return variants
}
