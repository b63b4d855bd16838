import { compareRuns, RetraceError, toJsonValue } from '@retrace/cassettes'
import { recordLedgerEntry, type LedgerOutcome } from '../ledger/run-ledger.ts'
import { agentThrewMessage, divergedMessage, isMismatch, missingCassetteMessage, requestChangedMessage } from '../messages/failure-messages.ts'
import type { MatcherOutcome, RunnerContext } from '../runner-context.ts'
import { readReceivedRun } from '../runs/received-run.ts'
import { runUnderCassette, stepsOf, type CassetteRun } from '../runs/run-under-cassette.ts'
import { resolveMatchOptions } from './matcher-options.ts'

/**
 * `await expect(() => runAgent()).toMatchCassette(name?, options?)`: the first run records the
 * golden cassette (calls, provider-neutral steps, the return value); later runs replay it and
 * pass when the run is identical or equivalent, fail when a request changed or the output
 * diverged. Runner-agnostic: the Vitest and Jest adapters call this.
 *
 * @example
 * const outcome = await matchCassette(context, () => runAgent('Book me a flight to Paris'), [])
 */
export async function matchCassette(context: RunnerContext, received: unknown, args: readonly unknown[]): Promise<MatcherOutcome> {
  if (context.isNot) throw usageError('toMatchCassette cannot be negated with .not: a run either matches its golden cassette or fails with the reason.')
  const run = readReceivedRun(received, false)
  if (!run || run.kind === 'steps') {
    throw usageError('toMatchCassette expects a function that runs the agent, or the promise it returns: expect(() => runAgent()).toMatchCassette()')
  }
  const options = resolveMatchOptions(args, 'toMatchCassette')
  const attempt = await runUnderCassette(run, context, { ...(options.name ? { name: options.name } : {}), ...(options.cassette ? { cassette: options.cassette } : {}) })
  const ledger = (cassette: string, outcome: LedgerOutcome) => recordLedgerEntry({ testPath: context.testPath, testName: context.testName, cassette, outcome })

  if (attempt.kind === 'missing') {
    ledger(attempt.file, 'missing')
    return fail(missingCassetteMessage(context, attempt.file))
  }
  const result = attempt.run
  const mismatch = result.mismatches[0] ?? (isMismatch(result.error?.value) ? result.error.value : undefined)
  if (mismatch) {
    ledger(result.file, 'request-changed')
    return fail(requestChangedMessage(context, mismatch, result.file))
  }
  if (result.error) {
    ledger(result.file, 'failed')
    return fail(agentThrewMessage(result.error.value, result.mode, result.file))
  }
  if (result.mode === 'record') {
    ledger(result.file, 'recorded')
    return { pass: true, message: () => `Recorded ${result.file}` }
  }
  return compareWithGolden(context, result, options.threshold, options.divergence, ledger)
}

function compareWithGolden(
  context: RunnerContext,
  run: CassetteRun,
  threshold: number | undefined,
  divergenceOptions: Parameters<typeof compareRuns>[2],
  ledger: (cassette: string, outcome: LedgerOutcome) => void,
): MatcherOutcome {
  const golden = run.golden!
  const hasResult = golden.run !== undefined && 'result' in golden.run
  const expected = hasResult ? golden.run!.result : undefined
  const actual = hasResult ? toJsonValue(run.result) : undefined
  const divergence = compareRuns(
    { steps: stepsOf(golden.interactions), ...(hasResult ? { result: expected } : {}) },
    { steps: run.steps, ...(hasResult ? { result: actual } : {}) },
    { ...divergenceOptions, ...(threshold !== undefined ? { textThreshold: threshold } : {}) },
  )
  if (divergence.verdict === 'diverged') {
    ledger(run.file, 'diverged')
    const message = divergedMessage(context, divergence, run.file, run.mode === 'live' ? 'live' : 'replay')
    const diff = hasResult && context.diff ? context.diff(expected, actual) : null
    return {
      pass: false,
      message: () => (diff ? `${message}\n\n${diff}` : message),
      ...(hasResult && !context.diff ? { expected, actual } : {}),
    }
  }
  ledger(run.file, divergence.verdict)
  return { pass: true, message: () => `The run is ${divergence.verdict} to ${run.file}` }
}

function fail(message: string): MatcherOutcome {
  return { pass: false, message: () => message }
}

function usageError(message: string): RetraceError {
  return new RetraceError('RETRACE_MATCHER_USAGE', message)
}
