import { closeRunLedger, openRunLedger, type RunLedger } from '@retrace/core/run-ledger'
import { finishTestRun, type RanTestFile } from '@retrace/matchers/plugin'

interface JestGlobalConfig {
  updateSnapshot?: 'all' | 'new' | 'none'
  /** The project root. */
  rootDir?: string
}

interface JestAggregatedResult {
  testResults: Array<{
    testFilePath: string
    testExecError?: unknown
    testResults: Array<{ status: string }>
  }>
}

/**
 * Jest reporter: prints the end-of-run line (recorded · replayed · equivalent · diverged ·
 * obsolete) and, with `-u`, removes cassettes no test uses any more. Listed by the preset
 * (`reporters: ['default', '@retrace/jest-preset/reporter']` when you list your own).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { recordLedgerEntry } from '@retrace/core'
 * import { LAST_RUN_FILE, readLastRun } from '@retrace/matchers'
 * const root = mkdtempSync(join(tmpdir(), 'project-'))
 * const testPath = join(root, 'agent.test.ts')
 * // Jest builds its reporters before the workers: this one opens the run's ledger for them.
 * const reporter = new RetraceJestReporter({ rootDir: root })
 * // A worker's matcher records what it did with a cassette.
 * recordLedgerEntry({ testPath, testName: 'books', cassette: join(root, '__cassettes__', 'agent.test.ts', 'books.cassette.json'), outcome: 'recorded' })
 * // At the end: "Retrace cassettes: 1 recorded · …" on stderr, and the record `retrace cassette prune` reads.
 * await reporter.onRunComplete(undefined, { testResults: [{ testFilePath: testPath, testResults: [{ status: 'passed' }] }] })
 * readLastRun(join(root, LAST_RUN_FILE)).entries.map((entry) => entry.outcome) // → ['recorded']
 */
export default class RetraceJestReporter {
  readonly #update: boolean
  readonly #ledger: RunLedger
  readonly #root: string

  constructor(globalConfig: JestGlobalConfig) {
    this.#update = globalConfig.updateSnapshot === 'all'
    this.#root = globalConfig.rootDir ?? process.cwd()
    // Workers are started after reporters are built, and inherit the environment.
    if (this.#update) process.env.RETRACE_UPDATE = '1'
    this.#ledger = openRunLedger()
  }

  async onRunComplete(_contexts: unknown, results: JestAggregatedResult): Promise<void> {
    // Both come from light entry points (no recorder, no divergence engine): the main process
    // never loads what only the test workers run.
    const entries = closeRunLedger(this.#ledger)
    // No ledger means no knowledge of what was used: report nothing rather than call every cassette obsolete.
    if (!entries) return
    const files: RanTestFile[] = results.testResults.map((file) => ({
      path: file.testFilePath,
      complete: !file.testExecError && file.testResults.every((test) => test.status === 'passed' || test.status === 'failed'),
    }))
    const lines = finishTestRun({ entries, files, update: this.#update, root: this.#root, runner: 'jest' })
    if (!lines.length) return
    process.stderr.write(`\n${lines.join('\n')}\n`)
  }
}

