// `@retrace/matchers/plugin`: what a test runner's plugin loads outside its test workers (its
// entry, which a Vitest config imports, and its end-of-run reporter): matcher defaults, the
// test-context error and the end-of-run summary. None of it loads the matchers themselves,
// the recorder or the divergence engine, which only the workers run: loading them in the main
// process cost ~0.3 s of every `vitest run`.
export { configureMatchers, type MatchCassetteOptions } from './matchers/matcher-options.ts'
export { TestContextError } from './errors/test-context-error.ts'
export { finishTestRun, type FinishTestRunOptions } from './ledger/finish-test-run.ts'
export type { RanTestFile } from './ledger/obsolete-cassettes.ts'
