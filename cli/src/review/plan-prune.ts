import type { LastRun } from '@retrace/matchers'

/** A cassette whose interactions may be pruned, and the ones the last run used. */
export interface PruneCandidate {
  file: string
  /** 0-based indexes of the interactions the last run replayed, ascending. */
  used: number[]
}

/** A cassette prune leaves alone, and why. */
export interface PruneSkip {
  file: string
  reason: string
}

/** What the command found on disk about one cassette. */
export type CassetteOnDisk = { interactions: number; modifiedMs: number } | { error: string }

/** What `retrace cassette prune` will do. */
export interface PrunePlan {
  finishedAt: string
  /** Cassettes no test used in completely-run test files: deleted. */
  deletions: string[]
  /** Cassettes rewritten without the interactions no test consumed. */
  rewrites: Array<{ file: string; drop: number[]; before: number; after: number }>
  skipped: PruneSkip[]
}

const PASSING = new Set(['identical', 'equivalent'])

/**
 * The cassettes whose unused interactions may be dropped: every matcher call on them in
 * the last run replayed them and passed (identical or equivalent), said which interactions
 * it used, and belongs to a test file that ran completely. A cassette that was recorded,
 * failed, diverged or was only partly exercised is skipped, with the reason. Pure.
 *
 * @example
 * const finishedAt = '2026-01-01T12:00:00.000Z'
 * const paris = '/p/__cassettes__/a.test.ts/paris.cassette.json'
 * const oslo = '/p/__cassettes__/a.test.ts/oslo.cassette.json'
 * const lastRun = {
 *   finishedAt,
 *   entries: [
 *     { testPath: '/p/a.test.ts', testName: 'paris', cassette: paris, outcome: 'identical' as const, used: [1, 2] },
 *     { testPath: '/p/a.test.ts', testName: 'oslo', cassette: oslo, outcome: 'recorded' as const },
 *   ],
 *   testFiles: [{ path: '/p/a.test.ts', complete: true }],
 * }
 * const { candidates, skipped } = pruneCandidates(lastRun)
 * candidates // → [{ file: paris, used: [1, 2] }]
 * skipped // → [{ file: oslo, reason: 'recorded in the last run' }]
 */
export function pruneCandidates(lastRun: LastRun): { candidates: PruneCandidate[]; skipped: PruneSkip[] } {
  const complete = new Set(lastRun.testFiles.filter((file) => file.complete).map((file) => file.path))
  const byCassette = new Map<string, LastRun['entries']>()
  for (const entry of lastRun.entries) {
    if (!entry.cassette) continue
    byCassette.set(entry.cassette, [...(byCassette.get(entry.cassette) ?? []), entry])
  }
  const candidates: PruneCandidate[] = []
  const skipped: PruneSkip[] = []
  for (const [file, entries] of [...byCassette].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const recorded = entries.find((entry) => entry.outcome === 'recorded')
    const failed = entries.find((entry) => !PASSING.has(entry.outcome))
    if (recorded) skipped.push({ file, reason: 'recorded in the last run' })
    else if (failed) skipped.push({ file, reason: `${failed.outcome} in the last run` })
    else if (entries.some((entry) => !complete.has(entry.testPath))) skipped.push({ file, reason: 'its test file did not run completely in the last run' })
    else if (entries.some((entry) => entry.used === undefined)) skipped.push({ file, reason: 'the last run did not say which interactions it used' })
    // A passing run that replayed nothing was not a replay (RETRACE_MODE=passthrough calls live).
    else if (entries.every((entry) => entry.used!.length === 0)) skipped.push({ file, reason: 'the last run replayed none of its interactions (a live run?)' })
    else candidates.push({ file, used: [...new Set(entries.flatMap((entry) => entry.used!))].sort((a, b) => a - b) })
  }
  return { candidates, skipped }
}

/**
 * The prune plan from the last run, the obsolete cassettes (`findObsoleteCassettes`: files
 * in the cassette folder of a completely-run test file that no test used), and what is on
 * disk. A file changed after the run ended is left alone: the run says nothing about it. Pure.
 *
 * @example
 * const finishedAt = '2026-01-01T12:00:00.000Z'
 * const paris = '/p/__cassettes__/a.test.ts/paris.cassette.json'
 * const oslo = '/p/__cassettes__/a.test.ts/oslo.cassette.json'
 * const lastRun = {
 *   finishedAt,
 *   entries: [
 *     { testPath: '/p/a.test.ts', testName: 'paris', cassette: paris, outcome: 'identical' as const, used: [1, 2] },
 *     { testPath: '/p/a.test.ts', testName: 'oslo', cassette: oslo, outcome: 'recorded' as const },
 *   ],
 *   testFiles: [{ path: '/p/a.test.ts', complete: true }],
 * }
 * const stale = '/p/__cassettes__/a.test.ts/renamed.cassette.json'
 * const modifiedMs = Date.parse(finishedAt) - 60_000
 * const plan = planPrune(lastRun, [{ file: stale, modifiedMs }], new Map([[paris, { interactions: 3, modifiedMs }]]))
 * plan.rewrites // → [{ file: paris, drop: [0], before: 3, after: 2 }]
 * plan.deletions // → [stale]
 */
export function planPrune(lastRun: LastRun, obsolete: ReadonlyArray<{ file: string; modifiedMs: number }>, onDisk: ReadonlyMap<string, CassetteOnDisk>): PrunePlan {
  const finishedMs = Date.parse(lastRun.finishedAt)
  const changedSince = 'changed since the last run; run the tests again first'
  const plan: PrunePlan = { finishedAt: lastRun.finishedAt, deletions: [], rewrites: [], skipped: [] }
  for (const { file, modifiedMs } of obsolete) {
    if (modifiedMs > finishedMs) plan.skipped.push({ file, reason: `no test used it, but it ${changedSince}` })
    else plan.deletions.push(file)
  }
  const { candidates, skipped } = pruneCandidates(lastRun)
  plan.skipped.push(...skipped)
  for (const candidate of candidates) {
    const disk = onDisk.get(candidate.file)
    if (!disk) plan.skipped.push({ file: candidate.file, reason: 'it no longer exists' })
    else if ('error' in disk) plan.skipped.push({ file: candidate.file, reason: disk.error })
    else if (disk.modifiedMs > finishedMs) plan.skipped.push({ file: candidate.file, reason: changedSince })
    else if (candidate.used.at(-1)! >= disk.interactions) {
      plan.skipped.push({ file: candidate.file, reason: `the last run used interaction #${candidate.used.at(-1)! + 1}, which it does not have; run the tests again first` })
    } else {
      const used = new Set(candidate.used)
      const drop = Array.from({ length: disk.interactions }, (_, index) => index).filter((index) => !used.has(index))
      if (drop.length) plan.rewrites.push({ file: candidate.file, drop, before: disk.interactions, after: disk.interactions - drop.length })
    }
  }
  plan.skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  return plan
}
