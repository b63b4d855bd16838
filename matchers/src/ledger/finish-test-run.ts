import type { LedgerEntry } from '@retrace/core'
import { writeLastRun } from './last-run.ts'
import { findObsoleteCassettes, removeObsoleteCassettes, type RanTestFile } from './obsolete-cassettes.ts'
import { formatRunSummary, summarizeRun } from './run-summary.ts'

/** What a runner's reporter knows when a test run ends. */
export interface FinishTestRunOptions {
  /** Every matcher call of the run, from the run ledger. */
  entries: readonly LedgerEntry[]
  /** The test files the run ran. */
  files: readonly RanTestFile[]
  /** `-u` / `--updateSnapshot`: remove obsolete cassettes instead of listing them. */
  update: boolean
  /** The project root: the last-run record goes under its `node_modules/.cache/retrace`. */
  root: string
  /** `vitest` or `jest`, kept in the last-run record. */
  runner: string
}

/**
 * The end of a test run, the same for every runner: keeps the last-run record for
 * `retrace cassette prune`, finds cassettes no test used (removing them with `-u`) and
 * returns the summary lines to print (none when the run touched no cassette).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const root = mkdtempSync(join(tmpdir(), 'project-'))
 * const testPath = join(root, 'agent.test.ts')
 * const cassette = join(root, '__cassettes__', 'agent.test.ts', 'books.cassette.json')
 * const lines = finishTestRun({ entries: [{ testPath, testName: 'books', cassette, outcome: 'recorded' }], files: [{ path: testPath, complete: true }], update: false, root, runner: 'jest' })
 * lines // → ['Retrace cassettes: 1 recorded · 0 replayed · 0 equivalent · 0 diverged · 0 obsolete']
 */
export function finishTestRun(options: FinishTestRunOptions): string[] {
  const { entries, files, update } = options
  if (files.length) writeLastRun(options.root, options.runner, entries, files)
  const obsolete = findObsoleteCassettes(files, entries)
  if (entries.length === 0 && obsolete.length === 0) return []
  if (obsolete.length && update) removeObsoleteCassettes(obsolete)
  const lines = [formatRunSummary(summarizeRun(entries, obsolete.length))]
  if (obsolete.length) {
    lines.push(update ? `Removed ${obsolete.length} obsolete cassette(s).` : 'Obsolete cassettes (no test uses them; run with -u to remove):')
    if (!update) for (const path of obsolete) lines.push(`  ${path}`)
  }
  return lines
}
