import { z } from 'zod'
import { RetraceError } from '@retrace/cassettes'

/**
 * An optional semantic scorer the user supplies (OpenAI embeddings, a local ONNX model, …).
 * `id` names the model: it is recorded with every result, because thresholds and scores
 * do not carry over from one model to another.
 */
export const EmbedderSchema = z.object({
  id: z.string().min(1),
  embed: z.custom<(texts: string[]) => Promise<number[][]>>((value) => typeof value === 'function', {
    message: 'expected a function embed(texts: string[]): Promise<number[][]>',
  }),
})
export type Embedder = z.infer<typeof EmbedderSchema>

/**
 * Cosine similarity of two vectors, in [-1, 1] (0 when either is all zeros).
 *
 * @example
 * cosineSimilarity([1, 0], [1, 1]) // ≈ 0.707
 */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0
  let normA = 0
  let normB = 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i]!
    const y = b[i]!
    dot += x * y
    normA += x * x
    normB += y * y
  }
  if (normA === 0 || normB === 0) return 0
  return Math.max(-1, Math.min(1, dot / Math.sqrt(normA * normB)))
}

/**
 * Rescales a model's cosine so its "unrelated" level maps to 0 (autoevals-style):
 * `max(0, (cos − floor) / (1 − floor))`. The floor is model-specific (USE-lite scores
 * unrelated sentences ≈ 0.3, OpenAI ada ≈ 0.7).
 *
 * @example
 * rescaleCosine(0.8, 0.6) // 0.5
 */
export function rescaleCosine(cosine: number, floor: number): number {
  return Math.max(0, Math.min(1, (cosine - floor) / (1 - floor)))
}

/** Embeddings of one comparison's texts, fetched in a single `embed` call. */
export interface EmbeddingCache {
  /** Cosine of two texts already fetched, or undefined. */
  cosine(a: string, b: string): number | undefined
}

/**
 * Embeds each distinct text once (one batch) and serves cosines from the result. Keyed by
 * the text itself, so a golden output repeated across steps is embedded once per call.
 * Throws a `RetraceError` (code `RETRACE_EMBEDDER`) naming the embedder when it fails or
 * returns the wrong shape.
 *
 * @example
 * const words = ['sunny', 'paris']
 * const embedder = { id: 'toy-embedder', embed: async (texts: string[]) => texts.map((text) => words.map((word) => (text.toLowerCase().includes(word) ? 1 : 0))) }
 * const cache = await fetchEmbeddings(embedder, ['sunny in Paris', 'Paris is sunny'])
 * cache.cosine('sunny in Paris', 'Paris is sunny') // → 1
 */
export async function fetchEmbeddings(embedder: Embedder, texts: Iterable<string>): Promise<EmbeddingCache> {
  const unique = [...new Set(texts)]
  const vectors = new Map<string, number[]>()
  if (unique.length > 0) {
    let result: unknown
    try {
      result = await embedder.embed(unique)
    } catch (error) {
      throw new RetraceError('RETRACE_EMBEDDER', `Embedder "${embedder.id}" failed: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'Fix the embedder, or compare without it (compareRuns is deterministic and needs no model).',
        cause: error,
      })
    }
    if (!Array.isArray(result) || result.length !== unique.length || !result.every((v) => Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
      throw new RetraceError('RETRACE_EMBEDDER', `Embedder "${embedder.id}" must return one number[] per text (${unique.length} texts).`, {
        hint: 'embed(texts) resolves to number[][] in the order of texts.',
      })
    }
    unique.forEach((text, i) => vectors.set(text, result[i] as number[]))
  }
  const memo = new Map<string, number>()
  return {
    cosine(a, b) {
      const va = vectors.get(a)
      const vb = vectors.get(b)
      if (!va || !vb) return undefined
      const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
      let value = memo.get(key)
      if (value === undefined) memo.set(key, (value = cosineSimilarity(va, vb)))
      return value
    },
  }
}
