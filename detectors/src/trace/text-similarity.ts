/// <reference path="./stopword.d.ts" />
import { buildIdf, compareTexts, DEFAULT_DIVERGENCE_OPTIONS, rescaleCosine, tfidfCosine, tokenize, type IdfTable, type TextComparison } from '@retrace/divergence'
import { eng } from 'stopword'

// Stemmed like the tokens they are matched against ("does" → "doe").
const STOPWORDS = new Set(eng.flatMap((word) => tokenize(word)))

/**
 * Critical tokens whose value, replaced by another, makes a repeated message a new one: the
 * agent reports a new state (page 2, job 43, another link, address or label). See `repetition`.
 */
export const PROGRESS_TOKEN_KINDS: ReadonlySet<string> = new Set(['number', 'id', 'url', 'email', 'quoted'])

/** Which score `atLeast` compares: `similarity` (meaning) or `repetition` (the same message again). */
export type TextMeasure = 'similarity' | 'repetition'

/** How alike two texts are, in [0, 1], by `compareTexts` of @retrace/divergence. */
export interface TextSimilarity {
  /** Whether the texts mean the same: `compareTexts` similarity, capped at 0.5 when any critical token changed. */
  similarity(a: string, b: string): number
  /**
   * Whether `b` says `a` again, for loops: the same score without the critical-token cap
   * unless a negation appeared or went, or a number, id, URL, email or quoted string was
   * replaced by another (`PROGRESS_TOKEN_KINDS`: a new state, so progress). The guard's other
   * findings (a reworded "one more search" read as a number added, another adjective read as
   * an opposite or a name, "tonight" / "this evening" as two dates) change what a golden run
   * means, not whether an agent is repeating itself.
   */
  repetition(a: string, b: string): number
  /**
   * `similarity(a, b) >= threshold` (or `repetition`), answered without the full comparison
   * when cheap bounds (TF-IDF cosine and the bag-of-words bound of ROUGE-L) already rule it out.
   */
  atLeast(a: string, b: string, threshold: number, measure?: TextMeasure): boolean
  /**
   * How much `text` is about `topic`, in [0, 1]: the TF-IDF cosine of their content words
   * (stopwords removed, so "the" and "for" never make two texts look related), blended with
   * the embedding cosine when there is one.
   */
  relevance(topic: string, text: string): number
}

/**
 * The words of a text that carry its topic: tokens (lower-cased, stemmed) without stopwords.
 *
 * @example
 * contentWords('The webhook returns HTTP 500') // ['webhook', 'return', 'http', '500']
 */
export function contentWords(text: string): string[] {
  return tokenize(text).filter((token) => !STOPWORDS.has(token))
}

/** Options of `createTextSimilarity`. */
export interface TextSimilarityOptions {
  /** Embedding cosine of two texts, when an embedder ran (blended in as `compareTexts` does). */
  cosine?: (a: string, b: string) => number | undefined
  /** The embedding's share of a score, 0–1 (default 0.5, as `compareTexts`). */
  embeddingWeight?: number
  /** Texts are compared on their first `maxChars` characters (default 2,000): a page dump's head says what it is. */
  maxChars?: number
}

/**
 * A memoised `compareTexts` whose IDF table is built over the whole trace, so words every
 * message repeats (agent names, boilerplate) weigh little. Texts are cut at `maxChars` and
 * ROUGE-L is skipped past 400 tokens, which keeps a 130-message trace in tens of milliseconds.
 *
 * @example
 * const texts = createTextSimilarity(['Search Paris hotels', 'Search hotels in Paris', 'Book a flight'])
 * texts.similarity('Search Paris hotels', 'Search hotels in Paris') // ≈ 1
 */
export function createTextSimilarity(corpus: readonly string[], options: TextSimilarityOptions = {}): TextSimilarity {
  const maxChars = options.maxChars ?? 2_000
  const cut = (text: string) => (text.length > maxChars ? text.slice(0, maxChars) : text)
  const idf: IdfTable = buildIdf(corpus.map((text) => tokenize(cut(text))))
  const weight = options.embeddingWeight ?? DEFAULT_DIVERGENCE_OPTIONS.embeddingWeight
  const memo = new Map<string, Record<TextMeasure, number>>()
  const bags = new Map<string, { tokens: string[]; counts: Map<string, number>; content: string[] }>()
  const bagOf = (text: string) => {
    let bag = bags.get(text)
    if (!bag) {
      const tokens = tokenize(cut(text))
      const counts = new Map<string, number>()
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1)
      bag = { tokens, counts, content: tokens.filter((token) => !STOPWORDS.has(token)) }
      bags.set(text, bag)
    }
    return bag
  }
  const scores = (a: string, b: string): Record<TextMeasure, number> => {
    if (a === b) return { similarity: 1, repetition: 1 }
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
    let value = memo.get(key)
    if (value === undefined) {
      const cosine = options.cosine?.(a, b)
      const comparison = compareTexts(cut(a), cut(b), { idf, maxLcsTokens: 400, ...(cosine === undefined ? {} : { cosine, embeddingWeight: weight }) })
      value = { similarity: comparison.similarity, repetition: movesOn(comparison) ? comparison.similarity : uncapped(comparison, weight) }
      memo.set(key, value)
    }
    return value
  }
  const similarity = (a: string, b: string): number => scores(a, b).similarity
  return {
    similarity,
    repetition: (a, b) => scores(a, b).repetition,
    atLeast(a, b, threshold, measure = 'similarity') {
      if (a === b) return true
      // An embedding can lift any pair: no shortcut then.
      if (!options.cosine) {
        const x = bagOf(a)
        const y = bagOf(b)
        let shared = 0
        for (const [token, count] of x.counts) shared += Math.min(count, y.counts.get(token) ?? 0)
        const rougeBound = x.tokens.length + y.tokens.length === 0 ? 1 : (2 * shared) / (x.tokens.length + y.tokens.length)
        if (rougeBound < threshold && tfidfCosine(x.tokens, y.tokens, idf) < threshold) return false
      }
      return scores(a, b)[measure] >= threshold
    },
    relevance(topic, text) {
      const x = bagOf(topic).content
      const y = bagOf(text).content
      const lexical = x.length && y.length ? tfidfCosine(x, y, idf) : 0
      const cosine = options.cosine?.(topic, text)
      if (cosine === undefined) return lexical
      return weight * rescaleCosine(cosine, DEFAULT_DIVERGENCE_OPTIONS.embeddingFloor) + (1 - weight) * lexical
    },
  }
}

// A repeat that reports a new state: a negation appeared or went, or a progress token's value
// was replaced (one added or dropped alone is rewording: "try one more search").
function movesOn(comparison: TextComparison): boolean {
  const present = (value: unknown) => value !== undefined && value !== null
  return comparison.reasons.some(
    (reason) => reason.kind === 'negation-changed' || (reason.kind === 'critical-token-changed' && PROGRESS_TOKEN_KINDS.has(reason.tokenKind!) && present(reason.expected) && present(reason.received)),
  )
}

// The score before the critical-token cap: lexical, blended with the embedding as `compareTexts` does.
function uncapped(comparison: TextComparison, weight: number): number {
  return comparison.semantic === undefined ? comparison.lexical : weight * comparison.semantic + (1 - weight) * comparison.lexical
}
