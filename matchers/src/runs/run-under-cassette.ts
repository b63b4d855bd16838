import { basename } from 'node:path'
import { existsSync } from 'node:fs'
import { extractStep, startCassette, type CassetteHandle, type CassetteOptions } from '@retrace/core'
import { storedStepOf } from '@retrace/core/internal'
import { CassetteFormatError, CassetteMissingError, toJsonValue, type Cassette, type CassetteMismatchError, type Interaction, type StoredStep } from '@retrace/cassettes'
import { cassettePathFor } from '../naming/cassette-path.ts'
import type { RunnerContext } from '../runner-context.ts'
import { matcherMode } from './matcher-mode.ts'
import type { ReceivedRun } from './received-run.ts'

/** One agent run under a test's cassette. */
export interface CassetteRun {
  file: string
  mode: 'record' | 'replay' | 'live'
  /** The golden cassette as it was before this run (undefined when recording a new one). */
  golden: Cassette | undefined
  result: unknown
  /** Set when the agent threw. */
  error: { value: unknown } | undefined
  /** This run's steps, in order. */
  steps: StoredStep[]
  /** Requests replay could not answer (the agent now asks something else). */
  mismatches: readonly CassetteMismatchError[]
  /** Recorded interactions the agent no longer made (replay). */
  unused: number
  /** Indexes of the recorded interactions this run used (replay). */
  used: number[]
}

export type RunAttempt = { kind: 'missing'; file: string } | { kind: 'unusable'; file: string; error: CassetteFormatError } | { kind: 'ran'; run: CassetteRun }

// Per test, how many cassettes of each name it used so far, so a second unnamed one gets
// " 2". Forgotten when the test (or a retry of it) starts.
const occurrences = new Map<string, Map<string, number>>()

/**
 * Forgets a test's cassette count; the runner adapters call this when a test (or a retry)
 * starts.
 *
 * @example
 * beforeEach(() => startTest(testPath, testName))
 */
export function startTest(testPath: string, testName: string): void {
  occurrences.delete(`${testPath}\u0000${testName}`)
}

/**
 * Runs the agent under the test's cassette: records it (and its result) when there is none,
 * replays it when there is, or runs it live for a comparison, as {@link matcherMode} decides.
 * The agent runs inside the cassette's own scope, so concurrent tests never share one.
 *
 * @example
 * const attempt = await runUnderCassette({ kind: 'function', fn: () => runAgent() }, context)
 */
export async function runUnderCassette(
  received: Exclude<ReceivedRun, { kind: 'steps' }>,
  context: RunnerContext,
  options: { name?: string; cassette?: CassetteOptions } = {},
): Promise<RunAttempt> {
  const file = cassettePathFor(context.testPath, options.name ?? context.testName, nextOccurrence(context, options.name))
  const mode = matcherMode({ exists: existsSync(file), update: context.update })
  if (mode === 'missing') return { kind: 'missing', file }
  return runCassetteAt(file, mode, received, { test: { file: basename(context.testPath), name: context.testName }, ...(options.cassette ? { cassette: options.cassette } : {}) })
}

/**
 * Runs an agent under the cassette at `file` in a given mode: `record` writes it (with the
 * run's result, unless the agent threw), `replay` serves it, `live` calls the network and
 * writes nothing. The building block of the matchers and of `retrace ci replay`'s
 * standalone golden cassettes.
 *
 * @example
 * const attempt = await runCassetteAt('goldens/refund.cassette.json', 'replay', { kind: 'function', fn: () => refund(order) })
 */
export async function runCassetteAt(
  file: string,
  mode: 'record' | 'replay' | 'live',
  received: Exclude<ReceivedRun, { kind: 'steps' }>,
  options: { cassette?: CassetteOptions; test?: { file: string; name: string } } = {},
): Promise<RunAttempt> {
  let cassette: CassetteHandle
  try {
    // Reads and validates the file once, in every mode: a corrupt file is reported, never overwritten.
    // The matcher writes this cassette's outcome to the run ledger itself (settleAttempt).
    cassette = startCassette(file, { ...options.cassette, mode: mode === 'replay' ? 'replay' : 'record', modeFromEnvironment: false, ledger: false })
  } catch (error) {
    if (error instanceof CassetteFormatError) return { kind: 'unusable', file, error }
    if (error instanceof CassetteMissingError) return { kind: 'missing', file }
    throw error
  }
  const golden = cassette.loaded
  let result: unknown
  let error: { value: unknown } | undefined
  try {
    result = received.kind === 'function' ? await cassette.run(received.fn) : await received.promise
  } catch (thrown) {
    error = { value: thrown }
  }
  const steps = stepsOf(cassette.interactions())
  // A run that threw is never made golden: the previous cassette (if any) stays as it was.
  const write = mode === 'record' && !error
  const summary = await cassette.stop({
    write,
    ...(write ? { run: { result: toJsonValue(result), ...(options.test ? { test: options.test } : {}) } } : {}),
  })
  return { kind: 'ran', run: { file, mode, golden, result, error, steps, mismatches: cassette.mismatches, unused: summary.unused, used: summary.used } }
}

/**
 * The steps of a list of interactions: the stored ones, or extracted when not stored yet
 * (a recording in progress).
 *
 * @example
 * stepsOf(cassette.interactions)
 */
export function stepsOf(interactions: readonly Interaction[]): StoredStep[] {
  return interactions.flatMap((interaction) => {
    if (interaction.step) return [interaction.step]
    const step = extractStep(interaction)
    return step ? [storedStepOf(step)] : []
  })
}

function nextOccurrence(context: RunnerContext, name: string | undefined): number {
  const test = `${context.testPath}\u0000${context.testName}`
  let counts = occurrences.get(test)
  if (!counts) occurrences.set(test, (counts = new Map()))
  const next = (counts.get(name ?? '') ?? 0) + 1
  counts.set(name ?? '', next)
  return next
}
