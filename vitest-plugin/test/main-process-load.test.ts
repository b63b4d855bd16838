import { execFileSync } from 'node:child_process'
import { expect, test } from 'vitest'

// A Vitest config imports `@retrace/vitest` in the main process, and its reporter runs there at
// the end of the run; only the test workers record, replay and compare. Loading the recorder
// and the divergence engine in the main process cost ~0.3 s of every `vitest run` (the
// test-overhead bench): the plugin's entry and reporter load only light entry points.

/** The repository's own modules a fresh Node process loads for `script` (built packages). */
function repoModulesLoadedBy(script: string): string[] {
  const tracker = `
    import { registerHooks } from 'node:module'
    const loaded = []
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context) } })
    ${script}
    console.log(JSON.stringify(loaded.filter((url) => !url.includes('/node_modules/') && url.startsWith('file:'))))`
  // A fresh process, as a user's: none of this run's RETRACE_* (its run ledger folder above all).
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RETRACE_')))
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', tracker], { cwd: import.meta.dirname, encoding: 'utf8', env })
  return JSON.parse(output.trim().split('\n').at(-1)!) as string[]
}

const heavy = (url: string) => /\/(divergence|detectors)\/|\/core\/dist\/(capture|session|replay|recording|runtime)\//.test(url)

test('importing the plugin (what a vitest.config does) loads neither the recorder nor the divergence engine', () => {
  const loaded = repoModulesLoadedBy(`const { retrace, configureMatchers, TestContextError } = await import('@retrace/vitest'); retrace(); configureMatchers({}); new TestContextError('toMatchCassette', 'concurrent')`)
  expect(loaded.some((url) => url.includes('/vitest-plugin/dist/'))).toBe(true)
  expect(loaded.filter(heavy)).toEqual([])
})

test('the end-of-run reporter prints its summary without loading them either', () => {
  const loaded = repoModulesLoadedBy(`
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { RetraceReporter } = await import('@retrace/vitest')
    const { recordLedgerEntry } = await import('@retrace/core/run-ledger')
    const root = mkdtempSync(tmpdir() + '/retrace-')
    const printed = []
    const reporter = new RetraceReporter({ update: false })
    reporter.onInit({ config: { root }, logger: { log: (line) => printed.push(line) } })
    // What a worker's matcher writes to the run's ledger.
    recordLedgerEntry({ testPath: root + '/agent.test.ts', testName: 'books', cassette: root + '/__cassettes__/agent.test.ts/books.cassette.json', outcome: 'equivalent' })
    await reporter.onTestRunEnd([])
    if (!printed.join('').includes('Retrace cassettes: 0 recorded · 1 replayed · 1 equivalent')) throw new Error('no summary: ' + printed.join('|'))`)
  expect(loaded.filter(heavy)).toEqual([])
})
