import { closeRunLedger, openRunLedger, type RunLedger } from '@retrace/core/run-ledger'
import { finishTestRun, type RanTestFile } from '@retrace/matchers/plugin'
import type { Reporter, TestModule, Vitest } from 'vitest/node'

/**
 * Prints the end-of-run line (recorded · replayed · equivalent · diverged · obsolete) and,
 * with `-u`, removes cassettes no test uses any more. Added by the `retrace()` plugin.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { recordLedgerEntry } from '@retrace/core'
 * import type { Vitest } from 'vitest/node'
 * const root = mkdtempSync(join(tmpdir(), 'project-'))
 * const printed: string[] = []
 * const reporter = new RetraceReporter({ update: false })
 * // Vitest calls onInit before the workers start: the reporter opens the run's ledger for them.
 * reporter.onInit({ config: { root }, logger: { log: (line: string) => printed.push(line) } } as unknown as Vitest)
 * // A worker's matcher records what it did with a cassette.
 * recordLedgerEntry({ testPath: join(root, 'agent.test.ts'), testName: 'books', cassette: join(root, '__cassettes__', 'agent.test.ts', 'books.cassette.json'), outcome: 'recorded' })
 * await reporter.onTestRunEnd([])
 * printed // → ['', 'Retrace cassettes: 1 recorded · 0 replayed · 0 equivalent · 0 diverged · 0 obsolete']
 */
export class RetraceReporter implements Reporter {
  #vitest: Vitest | undefined
  #ledger: RunLedger | undefined
  readonly #update: boolean

  constructor(options: { update: boolean }) {
    this.#update = options.update
  }

  onInit(vitest: Vitest): void {
    this.#vitest = vitest
    this.#ledger = openRunLedger()
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    if (!this.#ledger) return
    // Both come from light entry points (no recorder, no divergence engine): the main process
    // never loads what only the test workers run.
    const entries = closeRunLedger(this.#ledger)
    // No ledger means no knowledge of what was used: report nothing rather than call every cassette obsolete.
    if (!entries) return
    // A fresh folder for the next run in watch mode (one a parent process owns stays as is).
    if (this.#ledger.owned) this.#ledger = openRunLedger()
    const files: RanTestFile[] = testModules.map((module) => ({ path: module.moduleId, complete: ranCompletely(module) }))
    const lines = finishTestRun({ entries, files, update: this.#update, root: this.#vitest?.config.root ?? process.cwd(), runner: 'vitest' })
    const log = (line: string) => (this.#vitest ? this.#vitest.logger.log(line) : console.log(line))
    if (lines.length) log('')
    for (const line of lines) log(line)
  }
}

function ranCompletely(module: TestModule): boolean {
  if (module.state() !== 'passed' && module.state() !== 'failed') return false
  for (const test of module.children.allTests()) {
    const state = test.result().state
    if (state !== 'passed' && state !== 'failed') return false
  }
  return true
}

