/// <reference path="./stopword.d.ts" />
import { buildIdf, compareTexts, DEFAULT_DIVERGENCE_OPTIONS, rescaleCosine, tfidfCosine, tokenize, type IdfTable } from '@retrace/divergence'
import { eng } from 'stopword'

// Stemmed like the tokens they are matched against ("does" → "doe").
const STOPWORDS = new Set(eng.flatMap((word) => tokenize(word)))

/** How alike two texts are, in [0, 1], by `compareTexts` of @retrace/divergence. */
export interface TextSimilarity {
  similarity(a: string, b: string): number
  /**
   * `similarity(a, b) >= threshold`, answered without the full comparison when cheap bounds
   * (TF-IDF cosine and the bag-of-words bound of ROUGE-L) already rule it out.
   */
  atLeast(a: string, b: string, threshold: number): boolean
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
  const memo = new Map<string, number>()
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
  const similarity = (a: string, b: string): number => {
    if (a === b) return 1
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
    let value = memo.get(key)
    if (value === undefined) {
      const cosine = options.cosine?.(a, b)
      value = compareTexts(cut(a), cut(b), { idf, maxLcsTokens: 400, ...(cosine === undefined ? {} : { cosine, embeddingWeight: weight }) }).similarity
      memo.set(key, value)
    }
    return value
  }
  return {
    similarity,
    atLeast(a, b, threshold) {
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
      return similarity(a, b) >= threshold
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
