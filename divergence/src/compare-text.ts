import { conceptOverlap } from './concept-overlap.ts'
import { diffCriticalTokens } from './critical-token-diff.ts'
import type { CriticalTokenChange } from './critical-tokens.ts'
import { resolveDivergenceOptions, type DivergenceOptions, type ResolvedDivergenceOptions } from './divergence-options.ts'
import type { DivergenceReason } from './divergence-result.ts'
import { rescaleCosine } from './embedding.ts'
import { makeReason, round, type ReasonContext } from './reason-context.ts'
import { lcsLength } from './rouge-l.ts'
import { createTextAnalyzer, type TextAnalyzer } from './text-analysis.ts'
import { buildIdf, tfidfCosineOfCounts, type IdfTable } from './tfidf.ts'
import { equalIgnoringWhitespace } from './tokenize.ts'

/** How two texts compared. */
export interface TextComparison {
  /** The score the verdict uses, in [0, 1]: lexical (blended with semantic when given), capped at 0.5 when a critical token changed. */
  similarity: number
  /** `max(tfidf, rougeL)`, or `concepts` (capped at `CONCEPT_CAP`) when that is higher. */
  lexical: number
  tfidf: number
  /** Undefined when a text was longer than `maxLcsTokens`. */
  rougeL: number | undefined
  /**
   * Concept overlap (see `conceptOverlap`): F1 over content words and critical tokens, matching
   * inflections, WordNet relations and converted units. Computed only when `max(tfidf, rougeL)`
   * falls below `textThreshold`; undefined otherwise.
   */
  concepts: number | undefined
  /** The rescaled embedding similarity, when a cosine was supplied. */
  semantic: number | undefined
  reasons: DivergenceReason[]
}

/** Options of `compareTexts`: the text thresholds, plus an IDF table and an embedding cosine if you have them. */
export type CompareTextsOptions = Pick<DivergenceOptions, 'textThreshold' | 'criticalTokens' | 'maxLcsTokens' | 'embeddingWeight' | 'embeddingFloor'> & {
  /** Document frequencies over a larger corpus (default: the two texts). */
  idf?: IdfTable
  /** The two texts' embedding cosine, from your own model; blended in as in `compareRunsAsync`. */
  cosine?: number
}

/**
 * Shared concepts show two texts say related things, not that they are worded alike: concept
 * overlap lifts the lexical score to at most this, so a strict `textThreshold` (0.8) still asks
 * for close wording.
 */
export const CONCEPT_CAP = 0.6

/**
 * A changed critical token caps the similarity here, so a score never looks like a pass
 * while a reason says the meaning changed (research §1.4: "set divergence ≥ 0.5").
 */
export const CRITICAL_TOKEN_CAP = 0.5

/**
 * Compares two free texts: lexical similarity `max(TF-IDF cosine, ROUGE-L F1)` (optionally
 * blended with an embedding cosine; below `textThreshold`, their concept overlap up to
 * `CONCEPT_CAP`), then the critical-token guard. Reasons come back when the texts diverge:
 * `text-dissimilar` below `textThreshold`, `critical-token-changed` for a changed number, unit,
 * date, URL, email, id, quoted string, name, opposite or action, `negation-changed` for a
 * negation on one side only, whatever the similarity. Messages read `kind: before → after`.
 *
 * @example
 * compareTexts('The weather in Paris is sunny and 18 degrees.', 'In Paris it is sunny, 18 degrees.')
 * // { similarity: 0.75, reasons: [], … }
 * compareTexts('It is 18 degrees.', 'It is 19 degrees.').reasons[0].message
 * // 'Text: number: 18 degrees → 19 degrees (similarity 0.75).'
 */
export function compareTexts(expected: string, received: string, options: CompareTextsOptions = {}): TextComparison {
  const scoring: TextScoring = { options: resolveDivergenceOptions(options), analyzer: createTextAnalyzer() }
  if (options.idf) scoring.idf = options.idf
  if (options.cosine !== undefined) {
    const cosine = options.cosine
    scoring.semantic = () => cosine
  }
  return scoreTexts(expected, received, scoring, { layer: 'text', where: 'Text' })
}

/** What scoring texts needs beyond the texts: shared by every comparison of one run pair. */
export interface TextScoring {
  options: ResolvedDivergenceOptions
  analyzer: TextAnalyzer
  idf?: IdfTable
  /** Raw embedding cosine of two texts, when an embedder is in use. */
  semantic?: (expected: string, received: string) => number | undefined
}

/**
 * `compareTexts` with its context supplied by the caller: the step, path and message prefix
 * of its reasons, and the caches and IDF table shared across one run comparison.
 *
 * @example
 * import { resolveDivergenceOptions } from './divergence-options.ts'
 * import { createTextAnalyzer } from './text-analysis.ts'
 * const scoring = { options: resolveDivergenceOptions(), analyzer: createTextAnalyzer() }
 * const compared = scoreTexts('The loan was approved.', 'The loan was rejected.', scoring, { layer: 'text', where: 'Step 2 text', step: 2, path: '$.text' })
 * compared.reasons[0]?.message // → 'Step 2 text: opposite: approved → rejected (similarity 0.75).'
 */
export function scoreTexts(expected: string, received: string, scoring: TextScoring, context: ReasonContext): TextComparison {
  if (equalIgnoringWhitespace(expected, received)) {
    return { similarity: 1, lexical: 1, tfidf: 1, rougeL: 1, concepts: undefined, semantic: undefined, reasons: [] }
  }
  const { options, analyzer } = scoring
  const a = analyzer.analyze(expected)
  const b = analyzer.analyze(received)
  const tfidf = tfidfCosineOfCounts(a.terms, b.terms, scoring.idf ?? buildIdf([a.terms, b.terms]))
  // Bit-parallel LCS keeps ROUGE-L cheap; past the cap, cosine alone bounds the cost.
  const rouge = Math.max(a.tokens.length, b.tokens.length) <= options.maxLcsTokens ? rougeF1(a.tokens, b.tokens) : undefined
  let lexical = Math.max(tfidf, rouge ?? 0)
  // Few shared spellings: measure shared concepts (synonyms, phrasal verbs, converted units) before calling it unrelated.
  let concepts: number | undefined
  if (lexical < options.textThreshold) {
    concepts = conceptOverlap(expected, received, a.critical, b.critical)
    lexical = Math.max(lexical, Math.min(concepts, CONCEPT_CAP))
  }
  const cosine = scoring.semantic?.(expected, received)
  const semantic = cosine === undefined ? undefined : rescaleCosine(cosine, options.embeddingFloor)
  const blended = semantic === undefined ? lexical : options.embeddingWeight * semantic + (1 - options.embeddingWeight) * lexical

  const reasons: DivergenceReason[] = []
  // An unrelated text is the headline; its changed tokens are details.
  if (blended < options.textThreshold) {
    reasons.push(
      makeReason(context, 'text-dissimilar', `the text differs (similarity ${round(blended)}, below the ${options.textThreshold} threshold)`, {
        expected,
        received,
        similarity: blended,
      }),
    )
  }
  const changes = options.criticalKinds.size
    ? diffCriticalTokens(a.critical, b.critical, { kinds: options.criticalKinds, expectedText: expected, receivedText: received })
    : []
  for (const change of changes) reasons.push(criticalReason(change, context, blended))
  const similarity = changes.length ? Math.min(blended, CRITICAL_TOKEN_CAP) : blended
  return { similarity, lexical, tfidf, rougeL: rouge, concepts, semantic, reasons }
}

function rougeF1(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0
  return (2 * lcsLength(a, b)) / (a.length + b.length)
}

function criticalReason(change: CriticalTokenChange, context: ReasonContext, similarity: number): DivergenceReason {
  const similar = ` (similarity ${round(similarity)})`
  if (change.kind === 'negation') {
    const expected = change.missing[0]?.text
    const received = change.added[0]?.text
    return makeReason(context, 'negation-changed', `negation: ${expected === undefined ? 'none' : `"${expected}"`} → ${received === undefined ? 'none' : `"${received}"`}${similar}`, {
      expected: expected ?? null,
      received: received ?? null,
      similarity,
    })
  }
  // Numbers read with their unit ("18 degrees → 19 degrees"); every other kind as written.
  const list = (tokens: CriticalTokenChange['missing']) => (tokens.length ? tokens.map((t) => t.quantity?.written ?? t.text).join(', ') : 'none')
  let detail = `${change.kind}: ${list(change.missing)} → ${list(change.added)}`
  if (change.kind === 'unit') {
    // The units first ("°C → °F"), then the quantities they belong to.
    const units = (tokens: CriticalTokenChange['missing']) => tokens.map((t) => t.quantity?.unitText ?? t.text).join(', ')
    detail = `unit: ${units(change.missing)} → ${units(change.added)} (${list(change.missing)} → ${list(change.added)})`
  }
  const values = (tokens: CriticalTokenChange['missing']) => (tokens.length === 0 ? null : tokens.length === 1 ? tokens[0]!.text : tokens.map((t) => t.text))
  return makeReason(context, 'critical-token-changed', `${detail}${similar}`, {
    tokenKind: change.kind,
    expected: values(change.missing),
    received: values(change.added),
    similarity,
  })
}
