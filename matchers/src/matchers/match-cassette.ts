import { RetraceError, toJsonValue, type JsonValue } from '@retrace/cassettes'
import { compareRuns, type DivergenceOptions, type DivergenceResult } from '@retrace/divergence'
import { divergedMessage } from '../messages/failure-messages.ts'
import type { MatcherOutcome, RunnerContext } from '../runner-context.ts'
import { readReceivedRun } from '../runs/received-run.ts'
import { runUnderCassette, stepsOf, type CassetteRun } from '../runs/run-under-cassette.ts'
import { recordOutcome, settleAttempt } from '../runs/settle-attempt.ts'
import { resolveMatchOptions } from './matcher-options.ts'

/**
 * `await expect(() => runAgent()).toMatchCassette(name?, options?)`: the first run records the
 * golden cassette (calls, provider-neutral steps, the return value); later runs replay it and
 * pass when the run is identical or equivalent, fail when a request changed or the output
 * diverged. Runner-agnostic: the Vitest and Jest adapters call this.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { startTest } from '@retrace/matchers'
 * // What the runner adapters pass: the running test, and whether -u was given.
 * const testPath = join(mkdtempSync(join(tmpdir(), 'project-')), 'agent.test.ts')
 * const context = { runner: 'vitest' as const, testPath, testName: 'books a flight', isNot: false, update: false }
 * const runAgent = async (city: string) => ({ booked: `flight to ${city}` })
 * const first = await matchCassette(context, () => runAgent('Paris'), [])
 * first.message() // → `Recorded ${join(testPath, '..', '__cassettes__', 'agent.test.ts', 'books a flight.cassette.json')}`
 * startTest(testPath, 'books a flight') // a new run of the test: the same cassette again
 * const changed = await matchCassette(context, () => runAgent('Lyon'), [])
 * changed.pass // → false
 * changed.message().split('\n')[0] // → 'The replayed run diverged from the golden cassette (result layer, similarity 0.00):'
 */
export async function matchCassette(context: RunnerContext, received: unknown, args: readonly unknown[]): Promise<MatcherOutcome> {
  if (context.isNot) throw usageError('toMatchCassette cannot be negated with .not: a run either matches its golden cassette or fails with the reason.')
  const run = readReceivedRun(received, false)
  if (!run || run.kind === 'steps') {
    throw usageError('toMatchCassette expects a function that runs the agent, or the promise it returns: expect(() => runAgent()).toMatchCassette()')
  }
  const options = resolveMatchOptions(args, 'toMatchCassette')
  const settled = settleAttempt(context, await runUnderCassette(run, context, { ...(options.name ? { name: options.name } : {}), ...(options.cassette ? { cassette: options.cassette } : {}) }))
  if (settled.kind === 'failed') return settled.outcome
  const result = settled.run
  if (result.mode === 'record') {
    recordOutcome(context, result.file, 'recorded')
    return { pass: true, message: () => `Recorded ${result.file}` }
  }
  return compareWithGolden(context, result, { ...options.divergence, ...(options.threshold !== undefined ? { textThreshold: options.threshold } : {}) })
}

function compareWithGolden(context: RunnerContext, run: CassetteRun, divergenceOptions: DivergenceOptions): MatcherOutcome {
  const { divergence, expected, actual, hasResult } = judgeRun(run, divergenceOptions)
  if (divergence.verdict === 'diverged') {
    const message = divergedMessage(context, divergence, run.file, run.mode === 'live' ? 'live' : 'replay')
    recordOutcome(context, run.file, 'diverged', { message: message.slice(0, 4000), used: run.used, ...(divergence.firstDivergentStep ? { step: divergence.firstDivergentStep } : {}) })
    const diff = hasResult && context.diff ? context.diff(expected, actual) : null
    return {
      pass: false,
      message: () => (diff ? `${message}\n\n${diff}` : message),
      ...(hasResult && !context.diff ? { expected, actual } : {}),
    }
  }
  recordOutcome(context, run.file, divergence.verdict, { used: run.used })
  return { pass: true, message: () => `The run is ${divergence.verdict} to ${run.file}` }
}

/**
 * Compares a replayed or live run with its golden cassette: the steps, and the result when
 * the golden run stored one.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { runCassetteAt } from '@retrace/matchers'
 * const file = join(mkdtempSync(join(tmpdir(), 'goldens-')), 'refund.cassette.json')
 * await runCassetteAt(file, 'record', { kind: 'function', fn: () => ({ refunded: 12.5 }) })
 * const attempt = await runCassetteAt(file, 'replay', { kind: 'function', fn: () => ({ refunded: 12.5 }) })
 * if (attempt.kind !== 'ran') throw new Error(attempt.kind)
 * const { divergence, expected, actual } = judgeRun(attempt.run, { textThreshold: 0.5 })
 * divergence.verdict // → 'identical'
 * actual // → expected
 */
export function judgeRun(run: CassetteRun, divergenceOptions: DivergenceOptions = {}): { divergence: DivergenceResult; expected: JsonValue | undefined; actual: JsonValue | undefined; hasResult: boolean } {
  const golden = run.golden!
  const hasResult = golden.run !== undefined && 'result' in golden.run
  const expected = hasResult ? golden.run!.result : undefined
  const actual = hasResult ? toJsonValue(run.result) : undefined
  const divergence = compareRuns(
    { steps: stepsOf(golden.interactions), ...(hasResult ? { result: expected } : {}) },
    { steps: run.steps, ...(hasResult ? { result: actual } : {}) },
    divergenceOptions,
  )
  return { divergence, expected, actual, hasResult }
}

function usageError(message: string): RetraceError {
  return new RetraceError('RETRACE_MATCHER_USAGE', message)
}
