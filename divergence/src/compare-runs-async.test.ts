import { describe, expect, test } from 'vitest'
import { RetraceError, type StoredStep } from '@retrace/cassettes'
import { compareRuns } from './compare-runs.ts'
import { compareRunsAsync } from './compare-runs-async.ts'
import { compareTexts } from './compare-text.ts'
import type { Embedder } from './embedding.ts'
import type { RunRecord } from './run-record.ts'

const text = (content: string): StoredStep => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [{ type: 'text', content }], finishReason: 'stop' })
const run = (...texts: string[]): RunRecord => ({ steps: texts.map(text) })

const NOTHING = 'I could not find any results.'
const NO_RECORDS = 'No matching records were found.'

/** A fake model that knows these two sentences mean the same thing; everything else is unrelated. */
function fakeEmbedder(): Embedder & { calls: string[][] } {
  const calls: string[][] = []
  const vectors: Record<string, number[]> = { [NOTHING]: [1, 0.1, 0], [NO_RECORDS]: [1, 0, 0.1] }
  return {
    id: 'fake-embedding-v1',
    calls,
    embed: async (texts) => {
      calls.push(texts)
      return texts.map((t) => vectors[t] ?? [0, 0, 1])
    },
  }
}

describe('compareRunsAsync', () => {
  test('without an embedder it is compareRuns', async () => {
    const a = run(NOTHING)
    const b = run(NO_RECORDS)
    expect(await compareRunsAsync(a, b)).toEqual(compareRuns(a, b))
  })

  test('the embedder changes the score and is recorded in scorer.embedding', async () => {
    const a = run(NOTHING)
    const b = run(NO_RECORDS)
    const lexical = compareRuns(a, b)
    expect(lexical).toMatchObject({ verdict: 'diverged', layer: 'text' })
    expect(lexical.scorer.embedding).toBeUndefined()
    const semantic = await compareRunsAsync(a, b, { embedder: fakeEmbedder() })
    expect(semantic).toMatchObject({ verdict: 'equivalent', scorer: { embedding: { id: 'fake-embedding-v1' } } })
    expect(semantic.score).toBeGreaterThan(lexical.score)
    // s = w·s_sem + (1−w)·s_lex with the defaults w = 0.5, floor = 0.3; s_lex is the concept
    // overlap here ("find" / "found" shared), as compareTexts measures it.
    const cosine = 1 / Math.hypot(1, 0.1) ** 2
    const lexicalOnly = compareTexts(NOTHING, NO_RECORDS, { criticalTokens: false }).lexical
    expect(semantic.score).toBeCloseTo(0.5 * ((cosine - 0.3) / 0.7) + 0.5 * lexicalOnly, 3)
  })

  test('embeddingWeight and embeddingFloor set the blend', async () => {
    const a = run(NOTHING)
    const b = run(NO_RECORDS)
    expect((await compareRunsAsync(a, b, { embedder: fakeEmbedder(), embeddingWeight: 0 })).score).toBe(compareRuns(a, b).score)
    expect((await compareRunsAsync(a, b, { embedder: fakeEmbedder(), embeddingFloor: 0.995 })).verdict).toBe('diverged')
  })

  test('each distinct text is embedded once, in one call', async () => {
    const embedder = fakeEmbedder()
    await compareRunsAsync(run(NOTHING, NOTHING, 'Done.'), run(NO_RECORDS, NO_RECORDS, 'Finished.'), { embedder })
    expect(embedder.calls).toHaveLength(1)
    expect([...embedder.calls[0]!].sort()).toEqual([NOTHING, NO_RECORDS, 'Done.', 'Finished.'].sort())
  })

  test('identical runs return before any embedding', async () => {
    const embedder = fakeEmbedder()
    const result = await compareRunsAsync(run(NOTHING), run(NOTHING), { embedder })
    expect(result).toMatchObject({ verdict: 'identical', scorer: { embedding: { id: 'fake-embedding-v1' } } })
    expect(embedder.calls).toEqual([])
  })

  test('the critical-token guard still applies after the embedding', async () => {
    const embedder: Embedder = { id: 'agrees-with-everything', embed: async (texts) => texts.map(() => [1, 0]) }
    const result = await compareRunsAsync(run('Your total is $42.50.'), run('Your total is $45.20.'), { embedder })
    expect(result).toMatchObject({ verdict: 'diverged' })
    expect(result.reasons).toEqual([expect.objectContaining({ kind: 'critical-token-changed', tokenKind: 'number' })])
  })

  test('an embedder that fails or returns the wrong shape is named in a RetraceError', async () => {
    const failing: Embedder = { id: 'broken', embed: async () => Promise.reject(new Error('quota exceeded')) }
    await expect(compareRunsAsync(run('a b'), run('c d'), { embedder: failing })).rejects.toThrow(/Embedder "broken" failed: quota exceeded/)
    await expect(compareRunsAsync(run('a b'), run('c d'), { embedder: failing })).rejects.toBeInstanceOf(RetraceError)
    const short: Embedder = { id: 'short', embed: async () => [[1]] }
    await expect(compareRunsAsync(run('a b'), run('c d'), { embedder: short })).rejects.toMatchObject({ code: 'RETRACE_EMBEDDER' })
  })
})
