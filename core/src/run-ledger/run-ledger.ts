import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { z } from 'zod'

// Test workers (threads, forks, Jest workers) append one line per matcher call to a file of
// their own in a run folder named by RETRACE_RUN_DIR; the reporter in the main process reads
// them all at the end for the summary and obsolete-cassette detection.

import { RUN_DIR_VARIABLE, type RunLedger } from './run-folder.ts'

export { RUN_DIR_VARIABLE, openRunLedger, type RunLedger } from './run-folder.ts'

/**
 * What happened to one cassette in a test (or, for `egress`, to a request made outside any
 * cassette while egress was blocked).
 */
export const LedgerOutcomeSchema = z.enum(['recorded', 'identical', 'equivalent', 'diverged', 'request-changed', 'egress', 'missing', 'unusable', 'failed'])

export const LedgerEntrySchema = z.object({
  /** The test file; empty for a request made outside any test's cassette. */
  testPath: z.string(),
  testName: z.string(),
  /** The cassette file; empty when there was none. */
  cassette: z.string(),
  outcome: LedgerOutcomeSchema,
  /** The failure, as the test printed it (first lines), for reports. */
  message: z.string().optional(),
  /** 1-based step the failure is about, when known. */
  step: z.number().int().positive().optional(),
  /** Replay: indexes of the recorded interactions this run used (for `retrace cassette prune`). */
  used: z.array(z.number().int().nonnegative()).optional(),
})

export type LedgerOutcome = z.infer<typeof LedgerOutcomeSchema>
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>

/**
 * Adds one entry to this worker's ledger file; does nothing when no run folder was opened
 * (the reporter is not installed), so matchers never fail for its sake.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const env = { RETRACE_RUN_DIR: mkdtempSync(join(tmpdir(), 'retrace-run-')) }
 * recordLedgerEntry({ testPath: '/repo/agent.test.ts', testName: 'books', cassette: '/repo/__cassettes__/agent.test.ts/books.cassette.json', outcome: 'recorded' }, env)
 * readRunLedger(env.RETRACE_RUN_DIR)?.map((entry) => entry.outcome) // → ['recorded']
 * recordLedgerEntry({ testPath: '', testName: '', cassette: '', outcome: 'recorded' }, {}) // no run folder: nothing happens
 */
export function recordLedgerEntry(entry: LedgerEntry, env: NodeJS.ProcessEnv = process.env): void {
  const dir = env[RUN_DIR_VARIABLE]
  if (!dir) return
  try {
    appendFileSync(join(dir, `${process.pid}-${threadId}.jsonl`), `${JSON.stringify(entry)}\n`)
  } catch {
    // The run folder went away (a cancelled run): the summary is best-effort.
  }
}

/**
 * Every entry the workers wrote so far; `undefined` when the run folder is gone (closed by
 * another reporter, or deleted), which must never be read as "nothing was used".
 *
 * @example
 * import { rmSync } from 'node:fs'
 * import { openRunLedger } from './run-folder.ts'
 * const env: NodeJS.ProcessEnv = {}
 * const ledger = openRunLedger(env)
 * recordLedgerEntry({ testPath: '/repo/a.test.ts', testName: 'a', cassette: '/repo/a.cassette.json', outcome: 'identical' }, env)
 * const entries = readRunLedger(ledger.dir) ?? []
 * entries.length // → 1
 * rmSync(ledger.dir, { recursive: true })
 * readRunLedger(ledger.dir) // → undefined
 */
export function readRunLedger(dir: string): LedgerEntry[] | undefined {
  const entries: LedgerEntry[] = []
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.jsonl'))
  } catch {
    return undefined
  }
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue
      const parsed = LedgerEntrySchema.safeParse(JSON.parse(line))
      if (parsed.success) entries.push(parsed.data)
    }
  }
  return entries
}

/**
 * Every entry, then removes the folder if this process created it. `undefined` when the
 * folder was already gone.
 *
 * @example
 * import { existsSync } from 'node:fs'
 * import { openRunLedger } from './run-folder.ts'
 * const env: NodeJS.ProcessEnv = {}
 * const ledger = openRunLedger(env)
 * recordLedgerEntry({ testPath: '/repo/a.test.ts', testName: 'a', cassette: '/repo/a.cassette.json', outcome: 'diverged' }, env)
 * const entries = closeRunLedger(ledger)
 * entries?.map((entry) => entry.outcome) // → ['diverged']
 * existsSync(ledger.dir) // → false
 */
export function closeRunLedger(ledger: RunLedger): LedgerEntry[] | undefined {
  const entries = readRunLedger(ledger.dir)
  if (ledger.owned) rmSync(ledger.dir, { recursive: true, force: true })
  return entries
}
