import type { LedgerEntry, LedgerOutcome } from '@retrace/core'
import { EXIT, mostSevere, type ExitCode } from '../exit-codes.ts'
import type { CassetteCheck } from '../cassette-files/check-cassette-files.ts'

/** One line of the CI report: a cassette (or a request made outside any) and what happened. */
export interface CiOutcome {
  /** `flagged`: a failure detector found a kind named in `--fail-on-detector` in the replayed cassette. */
  outcome: LedgerOutcome | 'secret' | 'flagged'
  exitCode: ExitCode
  /** Absolute path of the cassette; empty for a request made outside any cassette. */
  cassette: string
  testPath?: string
  testName?: string
  step?: number
  message?: string
  /** For `flagged`: the detector's flag (the decisive span is the cassette's LLM step `step`). */
  flag?: { kind: string; mastMode: string; agent: string; spanId: string; confidence: number }
}

/** Everything `retrace ci replay` concluded. */
export interface CiVerdict {
  exitCode: ExitCode
  outcomes: CiOutcome[]
  counts: Record<'passed' | 'regressions' | 'missing' | 'egress' | 'secrets' | 'flagged', number>
  /** Set with `--fail-on-detector`: the kinds that fail the run and how many replayed cassettes the detectors read. */
  detectors?: { failOn: string[]; cassettes: number }
  /** The test command and how it ended; undefined when it did not run (secrets found first). */
  tests?: { command: string; exitCode: number | null }
  /** Set when the test command failed without any cassette explaining it. */
  unexplainedFailure?: string
}

const EXIT_OF: Record<LedgerOutcome, ExitCode> = {
  identical: EXIT.pass,
  equivalent: EXIT.pass,
  // Recording never happens under the gate (CI is forced); if a plugin did, it is a bug to see.
  recorded: EXIT.regression,
  diverged: EXIT.regression,
  'request-changed': EXIT.regression,
  failed: EXIT.regression,
  egress: EXIT.egress,
  missing: EXIT.missing,
  unusable: EXIT.missing,
}

/**
 * Turns what the test workers reported (the run ledger), the cassette check, and the test
 * command's exit into outcomes and one exit code, the most severe that applies. A test
 * command that failed with nothing in the ledger to explain it is a regression: the gate
 * never passes failing tests.
 *
 * @example
 * const entries = [{ testPath: '/repo/agent.test.ts', testName: 'books', cassette: '/repo/__cassettes__/agent.test.ts/books.cassette.json', outcome: 'diverged' as const, step: 2, message: 'the answer changed' }]
 * const verdict = ciVerdict({ entries, checks: [], tests: { command: 'vitest run', exitCode: 1 } })
 * // Then: process.exitCode = verdict.exitCode
 * verdict.exitCode // → 1
 * verdict.counts // → { passed: 0, regressions: 1, missing: 0, egress: 0, secrets: 0, flagged: 0 }
 * // A failing test command nothing in the ledger explains is a regression too:
 * ciVerdict({ entries: [], checks: [], tests: { command: 'vitest run', exitCode: 1 } }).exitCode // → 1
 * ciVerdict({ entries: [], checks: [], tests: { command: 'vitest run', exitCode: 0 } }).exitCode // → 0
 */
export function ciVerdict(input: {
  entries: readonly LedgerEntry[]
  checks: readonly CassetteCheck[]
  tests?: { command: string; exitCode: number | null }
  /** What `detectorOutcomes` found, with the kinds it was told to fail on. */
  detectors?: { failOn: string[]; cassettes: number; outcomes: readonly CiOutcome[] }
}): CiVerdict {
  const outcomes: CiOutcome[] = []
  for (const check of input.checks) {
    if (check.secrets.length) {
      outcomes.push({
        outcome: 'secret',
        exitCode: EXIT.secret,
        cassette: check.file,
        message: `Secret-shaped value(s) at ${check.secrets.map((finding) => `${finding.path} (${finding.kind})`).join(', ')}. Remove the cassette from history if it was committed, rotate the key, add a redactor and record again.`,
      })
    }
  }
  for (const entry of input.entries) {
    outcomes.push({
      outcome: entry.outcome,
      exitCode: EXIT_OF[entry.outcome],
      cassette: entry.cassette,
      ...(entry.testPath ? { testPath: entry.testPath, testName: entry.testName } : {}),
      ...(entry.step ? { step: entry.step } : {}),
      ...(entry.message ? { message: entry.message } : {}),
    })
  }
  const codes = outcomes.map((outcome) => outcome.exitCode)
  let unexplainedFailure: string | undefined
  if (input.tests && input.tests.exitCode !== 0 && !codes.some((code) => code !== EXIT.pass)) {
    unexplainedFailure = `The test command (${input.tests.command}) failed${input.tests.exitCode === null ? ' (killed)' : ` with exit code ${input.tests.exitCode}`}, and no cassette explains it: see its output above.`
    codes.push(EXIT.regression)
  }
  // Detector flags come after: a flag does not explain a failing test.
  for (const outcome of input.detectors?.outcomes ?? []) {
    outcomes.push(outcome)
    codes.push(outcome.exitCode)
  }
  const count = (code: ExitCode) => outcomes.filter((outcome) => outcome.exitCode === code).length
  return {
    exitCode: mostSevere(codes),
    outcomes,
    counts: { passed: count(EXIT.pass), regressions: count(EXIT.regression), missing: count(EXIT.missing), egress: count(EXIT.egress), secrets: count(EXIT.secret), flagged: count(EXIT.flagged) },
    ...(input.detectors ? { detectors: { failOn: input.detectors.failOn, cassettes: input.detectors.cassettes } } : {}),
    ...(input.tests ? { tests: input.tests } : {}),
    ...(unexplainedFailure ? { unexplainedFailure } : {}),
  }
}
