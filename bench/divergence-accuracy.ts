// Accuracy of the divergence engine on its labelled set (divergence/src/meaning-pairs.json):
// per category, the share of pairs judged right through the default public path, as
// toMatchCassette() uses it (compareRuns with default options). Meaning changes must diverge;
// paraphrases must stay equivalent. The held-out part (a quarter of the first round of pairs,
// half of the second) was not looked at while tuning.
// Run alone: node --conditions=@retrace/source bench/divergence-accuracy.ts
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { StoredStep } from '@retrace/cassettes'
import { compareRuns } from '@retrace/divergence'

interface LabelledPair {
  id: string
  category: string
  split: 'tune' | 'held-out'
  /** 2 for the pairs of the second round (written before that round changed any rule). */
  round?: 2
  golden: string
  candidate: string
}

export interface AccuracyRow {
  category: string
  /** Pairs judged right / pairs, over the whole set, the tuning part and the held-out part. */
  all: [number, number]
  tune: [number, number]
  heldOut: [number, number]
  /** The second round's held-out half: the pairs no rule was ever tuned near. */
  heldOutRound2: [number, number]
}

const textStep = (content: string): StoredStep => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [{ type: 'text', content }], finishReason: 'stop' })

/** The labelled pairs as committed beside the engine's tests. */
export function labelledPairs(): LabelledPair[] {
  const file = new URL('../divergence/src/meaning-pairs.json', import.meta.url)
  return (JSON.parse(readFileSync(file, 'utf8')) as { pairs: LabelledPair[] }).pairs
}

/** Scores every pair; returns one row per category (paraphrases last) and the pairs judged wrong. */
export function benchDivergenceAccuracy(): { rows: AccuracyRow[]; wrong: LabelledPair[] } {
  const rows = new Map<string, AccuracyRow>()
  const wrong: LabelledPair[] = []
  for (const pair of labelledPairs()) {
    const verdict = compareRuns({ steps: [textStep(pair.golden)] }, { steps: [textStep(pair.candidate)] }).verdict
    const right = pair.category === 'paraphrase' ? verdict !== 'diverged' : verdict === 'diverged'
    const row = rows.get(pair.category) ?? { category: pair.category, all: [0, 0], tune: [0, 0], heldOut: [0, 0], heldOutRound2: [0, 0] }
    const buckets = [row.all, pair.split === 'tune' ? row.tune : row.heldOut]
    if (pair.split === 'held-out' && pair.round === 2) buckets.push(row.heldOutRound2)
    for (const bucket of buckets) {
      bucket[0] += right ? 1 : 0
      bucket[1] += 1
    }
    rows.set(pair.category, row)
    if (!right) wrong.push(pair)
  }
  const ordered = [...rows.values()].sort((x, y) => Number(x.category === 'paraphrase') - Number(y.category === 'paraphrase'))
  return { rows: ordered, wrong }
}

/** "19/20 (95%)". */
export function formatShare([right, total]: [number, number]): string {
  return total === 0 ? '–' : `${right}/${total} (${Math.round((100 * right) / total)}%)`
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { rows } = benchDivergenceAccuracy()
  console.log(`${'category'.padEnd(12)} ${'all'.padStart(14)} ${'tuning part'.padStart(14)} ${'held out'.padStart(14)} ${'of which round 2'.padStart(16)}`)
  for (const row of rows) console.log(`${row.category.padEnd(12)} ${formatShare(row.all).padStart(14)} ${formatShare(row.tune).padStart(14)} ${formatShare(row.heldOut).padStart(14)} ${formatShare(row.heldOutRound2).padStart(16)}`)
}
