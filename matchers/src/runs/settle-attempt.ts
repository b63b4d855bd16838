import { recordLedgerEntry, type LedgerEntry, type LedgerOutcome } from '@retrace/core'
import { agentThrewMessage, isMismatch, missingCassetteMessage, requestChangedMessage } from '../messages/failure-messages.ts'
import type { MatcherOutcome, RunnerContext } from '../runner-context.ts'
import type { CassetteRun, RunAttempt } from './run-under-cassette.ts'

/** A run the matcher can go on checking, or the failure that ends it (already in the ledger). */
export type SettledAttempt = { kind: 'failed'; outcome: MatcherOutcome } | { kind: 'ran'; run: CassetteRun }

/**
 * Turns a run attempt into either a run to check or the failure every Retrace matcher reports
 * the same way — missing cassette, unusable cassette, a changed request (or a blocked host),
 * the agent throwing — and writes each outcome to the run ledger for the reporters and the
 * CI gate.
 *
 * @example
 * const context = { runner: 'vitest' as const, testPath: `${process.cwd()}/agent.test.ts`, testName: 'books', isNot: false, update: false }
 * const settled = settleAttempt(context, { kind: 'missing', file: `${process.cwd()}/__cassettes__/agent.test.ts/books.cassette.json` })
 * settled.kind // → 'failed'
 * settled.kind === 'failed' && settled.outcome.message().split('\n')[0] // → 'No cassette for this test: __cassettes__/agent.test.ts/books.cassette.json'
 */
export function settleAttempt(context: RunnerContext, attempt: RunAttempt): SettledAttempt {
  if (attempt.kind === 'missing') return fail(context, attempt.file, 'missing', missingCassetteMessage(context, attempt.file))
  if (attempt.kind === 'unusable') return fail(context, attempt.file, 'unusable', attempt.error.message)
  const run = attempt.run
  const mismatch = run.mismatches[0] ?? (isMismatch(run.error?.value) ? run.error.value : undefined)
  if (mismatch) {
    const outcome = mismatch.reason === 'egress-blocked' ? 'egress' : 'request-changed'
    return fail(context, run.file, outcome, requestChangedMessage(context, mismatch, run.file), mismatch.closest ? mismatch.closest.index + 1 : undefined)
  }
  if (run.error) return fail(context, run.file, 'failed', agentThrewMessage(run.error.value, run.mode, run.file))
  return { kind: 'ran', run }
}

/**
 * Writes one cassette's outcome to the run ledger.
 *
 * @example
 * import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * // The reporters open a run folder and name it in RETRACE_RUN_DIR; every worker appends to it.
 * const runDir = mkdtempSync(join(tmpdir(), 'retrace-run-'))
 * process.env.RETRACE_RUN_DIR = runDir
 * const context = { runner: 'vitest' as const, testPath: '/repo/agent.test.ts', testName: 'books', isNot: false, update: false }
 * recordOutcome(context, '/repo/__cassettes__/agent.test.ts/books.cassette.json', 'equivalent', { used: [0, 1] })
 * const [ledgerFile] = readdirSync(runDir)
 * JSON.parse(readFileSync(join(runDir, ledgerFile!), 'utf8'))
 * // → { testPath: '/repo/agent.test.ts', testName: 'books', cassette: '/repo/__cassettes__/agent.test.ts/books.cassette.json', outcome: 'equivalent', used: [0, 1] }
 * delete process.env.RETRACE_RUN_DIR
 */
export function recordOutcome(context: RunnerContext, cassette: string, outcome: LedgerOutcome, extra: Pick<LedgerEntry, 'message' | 'step' | 'used'> = {}): void {
  recordLedgerEntry({ testPath: context.testPath, testName: context.testName, cassette, outcome, ...extra })
}

function fail(context: RunnerContext, cassette: string, outcome: LedgerOutcome, message: string, step?: number): SettledAttempt {
  // Reports quote the message; a bounded copy keeps the ledger small.
  recordOutcome(context, cassette, outcome, { message: message.slice(0, 4000), ...(step ? { step } : {}) })
  return { kind: 'failed', outcome: { pass: false, message: () => message } }
}
