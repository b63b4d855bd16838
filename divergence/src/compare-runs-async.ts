import { compareRuns, compareRunsWith } from './compare-runs.ts'
import type { DivergenceOptions } from './divergence-options.ts'
import type { DivergenceResult } from './divergence-result.ts'
import { fetchEmbeddings } from './embedding.ts'
import type { RunRecord } from './run-record.ts'

/**
 * `compareRuns` with the optional embedding scorer: texts are scored
 * `w·s_sem + (1−w)·s_lex` with `s_sem = max(0, (cos − floor) / (1 − floor))`, and the
 * critical-token guard still applies after (embeddings barely register a changed number or
 * a negation). Each distinct text is embedded once, in one `embed` call; identical runs
 * return before any embedding. The embedder's id is recorded in `scorer.embedding`.
 * Without `options.embedder` this is `compareRuns`.
 *
 * @example
 * // A toy embedder (a user's would call a model): one dimension per known word.
 * const words = ['sunny', 'paris', 'rain', 'rome']
 * const embed = async (texts: string[]) => texts.map((text) => words.map((word) => (text.toLowerCase().includes(word) ? 1 : 0)))
 * const step = (output: any[], finishReason = 'stop') => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output, finishReason }) as const
 * const golden = { steps: [step([{ type: 'text', content: 'It is sunny in Paris.' }])] }
 * const candidate = { steps: [step([{ type: 'text', content: 'Paris is sunny today.' }])] }
 * const result = await compareRunsAsync(golden, candidate, { embedder: { id: 'toy-embedder', embed } })
 * result.verdict // → 'equivalent'
 * result.scorer.embedding // → { id: 'toy-embedder' }
 */
export async function compareRunsAsync(golden: RunRecord, candidate: RunRecord, options: DivergenceOptions = {}): Promise<DivergenceResult> {
  const { embedder } = options
  if (!embedder) return compareRuns(golden, candidate, options)
  // First pass: learn which text pairs need a semantic score (the lexical work is cheap next to an embedding call).
  const texts: string[] = []
  const first = compareRunsWith(golden, candidate, options, {
    embeddingId: embedder.id,
    semantic: (expected, received) => {
      texts.push(expected, received)
      return undefined
    },
  })
  if (texts.length === 0) return first
  const embeddings = await fetchEmbeddings(embedder, texts)
  return compareRunsWith(golden, candidate, options, { embeddingId: embedder.id, semantic: (expected, received) => embeddings.cosine(expected, received) })
}
