import { tokenize } from './tokenize.ts'

/** Document frequencies over a corpus: how many documents contain each term. */
export interface IdfTable {
  readonly documents: number
  readonly documentFrequency: ReadonlyMap<string, number>
}

/**
 * Counts, for each term, the documents that contain it. Build it over every text of both
 * runs, so words that every step repeats ("the", the agent's name) weigh little.
 *
 * Each document is a token list, or its `termCounts`.
 *
 * @example
 * import { tokenize } from './tokenize.ts'
 * const idf = buildIdf([tokenize('sunny in Paris'), tokenize('rain in Rome')])
 * idf.documentFrequency.get('in') // → 2
 */
export function buildIdf(documents: Iterable<readonly string[] | ReadonlyMap<string, number>>): IdfTable {
  const documentFrequency = new Map<string, number>()
  let count = 0
  for (const document of documents) {
    count++
    // A term-count map (from `termCounts`) already lists each term once.
    const terms = Array.isArray(document) ? new Set(document) : (document as ReadonlyMap<string, number>).keys()
    for (const term of terms) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1)
  }
  return { documents: count, documentFrequency }
}

/**
 * Smoothed inverse document frequency (`ln((1+N)/(1+df)) + 1`, as scikit-learn): never zero,
 * so a term every document shares still counts, just less than a rare one.
 *
 * @example
 * idfWeight(buildIdf([['a'], ['a', 'b']]), 'b') // ≈ 1.405
 */
export function idfWeight(table: IdfTable, term: string): number {
  return Math.log((1 + table.documents) / (1 + (table.documentFrequency.get(term) ?? 0))) + 1
}

/**
 * Cosine similarity of the TF-IDF vectors of two texts (or token lists), in [0, 1].
 * Without `idf` the corpus is the two texts themselves. Order-insensitive, so it tolerates
 * reordered sentences; ROUGE-L complements it for word order.
 *
 * @example
 * tfidfCosine('sunny in Paris today', 'today it is sunny in Paris') // ≈ 0.71
 * tfidfCosine('sunny in Paris', 'flight to Tokyo')                  // 0
 */
export function tfidfCosine(a: string | readonly string[], b: string | readonly string[], idf?: IdfTable): number {
  const tokensA = typeof a === 'string' ? tokenize(a) : a
  const tokensB = typeof b === 'string' ? tokenize(b) : b
  if (tokensA.length === 0 || tokensB.length === 0) return tokensA.length === tokensB.length ? 1 : 0
  const countsA = termCounts(tokensA)
  const countsB = termCounts(tokensB)
  return tfidfCosineOfCounts(countsA, countsB, idf ?? buildIdf([countsA, countsB]))
}

/**
 * `tfidfCosine` over term counts already made (the divergence engine keeps them per text).
 *
 * @example
 * tfidfCosineOfCounts(termCounts(['a', 'b']), termCounts(['b', 'a']), buildIdf([['a', 'b']])) // 1
 */
export function tfidfCosineOfCounts(countsA: ReadonlyMap<string, number>, countsB: ReadonlyMap<string, number>, table: IdfTable): number {
  if (countsA.size === 0 || countsB.size === 0) return countsA.size === countsB.size ? 1 : 0
  let dot = 0
  let normA = 0
  let normB = 0
  for (const [term, countA] of countsA) {
    const weight = idfWeight(table, term)
    const wa = countA * weight
    normA += wa * wa
    const countB = countsB.get(term)
    if (countB !== undefined) dot += wa * countB * weight
  }
  for (const [term, countB] of countsB) {
    const wb = countB * idfWeight(table, term)
    normB += wb * wb
  }
  // Rounding can push the cosine of identical vectors a hair above 1.
  return Math.min(1, dot / Math.sqrt(normA * normB))
}

/**
 * How often each term occurs.
 *
 * @example
 * termCounts(['a', 'b', 'a']) // Map { 'a' => 2, 'b' => 1 }
 */
export function termCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1)
  return counts
}
