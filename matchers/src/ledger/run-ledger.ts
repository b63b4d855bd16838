import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { z } from 'zod'

// Test workers (threads, forks, Jest workers) append one line per matcher call to a file of
// their own in a run folder named by RETRACE_RUN_DIR; the reporter in the main process reads
// them all at the end for the summary and obsolete-cassette detection.

export const RUN_DIR_VARIABLE = 'RETRACE_RUN_DIR'

/** What happened to one cassette in a test. */
export const LedgerOutcomeSchema = z.enum(['recorded', 'identical', 'equivalent', 'diverged', 'request-changed', 'missing', 'failed', 'live'])

export const LedgerEntrySchema = z.object({
  testPath: z.string(),
  testName: z.string(),
  cassette: z.string(),
  outcome: LedgerOutcomeSchema,
})

export type LedgerOutcome = z.infer<typeof LedgerOutcomeSchema>
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>

/**
 * Creates a run folder and names it in the environment, so workers started afterwards write
 * their entries there. Called by the reporters, in the main process, before tests start.
 *
 * @example
 * const runDir = openRunLedger()
 */
export function openRunLedger(env: NodeJS.ProcessEnv = process.env): string {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-run-'))
  env[RUN_DIR_VARIABLE] = dir
  return dir
}

/**
 * Adds one entry to this worker's ledger file; does nothing when no run folder was opened
 * (the reporter is not installed), so matchers never fail for its sake.
 *
 * @example
 * recordLedgerEntry({ testPath, testName, cassette, outcome: 'recorded' })
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
 * Every entry the workers wrote, then removes the run folder.
 *
 * @example
 * const entries = closeRunLedger(runDir)
 */
export function closeRunLedger(dir: string): LedgerEntry[] {
  const entries: LedgerEntry[] = []
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.jsonl'))
  } catch {
    return entries
  }
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue
      const parsed = LedgerEntrySchema.safeParse(JSON.parse(line))
      if (parsed.success) entries.push(parsed.data)
    }
  }
  rmSync(dir, { recursive: true, force: true })
  return entries
}
