// The public types use Node's (Buffer, NodeJS.ProcessEnv, node:http): load them for every
// user, whatever their tsconfig's "types" (TypeScript 7 defaults it to none).
/// <reference types="node" preserve="true" />
export type { RunnerContext, MatcherOutcome } from './runner-context.ts'
export { matchCassette, judgeRun } from './matchers/match-cassette.ts'
export { retraceMatchers } from './matchers/retrace-matchers.ts'
export { TestContextError } from './errors/test-context-error.ts'
export { matchTrajectory, type TrajectoryMode, type ExpectedToolCall } from './matchers/match-trajectory.ts'
export { matchBudget, spendOf, type Budget, type RunSpend } from './matchers/stay-within-budget.ts'
export { configureMatchers, resolveMatchOptions, DEFAULTS_VARIABLE, type MatchCassetteOptions } from './matchers/matcher-options.ts'
export { startTest, runUnderCassette, runCassetteAt, stepsOf, type CassetteRun, type RunAttempt } from './runs/run-under-cassette.ts'
export { matcherMode, type MatcherMode } from './runs/matcher-mode.ts'
export { cassettePathFor, cassettesFolderOf, cassetteFileName, CASSETTES_DIR, CASSETTE_EXTENSION } from './naming/cassette-path.ts'
export { findObsoleteCassettes, removeObsoleteCassettes, type RanTestFile } from './ledger/obsolete-cassettes.ts'
export { summarizeRun, formatRunSummary, type RunSummary } from './ledger/run-summary.ts'
export { rerecordCommand, recordCommand } from './messages/rerecord-command.ts'
export { finishTestRun, type FinishTestRunOptions } from './ledger/finish-test-run.ts'
export { writeLastRun, readLastRun, findLastRunFile, LastRunError, LAST_RUN_FILE, type LastRun } from './ledger/last-run.ts'
