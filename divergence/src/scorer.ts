import type { ScorerInfo } from './divergence-result.ts'

/** Identifies this scorer in stored results. */
export const SCORER_ID = 'retrace/layered-divergence'

/**
 * Bump when a change can move a score or a verdict (tokenizer, critical-token rules,
 * formulas, defaults), so results recorded by different versions are not compared.
 * 2.0.0: entities, units, number words, date words, opposites and actions; concept overlap.
 */
export const SCORER_VERSION = '2.0.0'

/**
 * The scorer record for a result, with the embedding model when one took part.
 *
 * @example
 * scorerInfo('text-embedding-3-small') // { id: 'retrace/layered-divergence', version: '2.0.0', embedding: { id: 'text-embedding-3-small' } }
 */
export function scorerInfo(embeddingId?: string): ScorerInfo {
  return embeddingId === undefined ? { id: SCORER_ID, version: SCORER_VERSION } : { id: SCORER_ID, version: SCORER_VERSION, embedding: { id: embeddingId } }
}
