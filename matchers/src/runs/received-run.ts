import type { Step, StoredStep } from '@retrace/cassettes'

/** What a matcher was given: the agent to run, or the outcome of a run already made. */
export type ReceivedRun =
  | { kind: 'function'; fn: () => unknown }
  | { kind: 'promise'; promise: PromiseLike<unknown> }
  | { kind: 'steps'; steps: Array<Step | StoredStep> }

/**
 * Reads `expect(received)`: a function (run under the test's cassette — concurrency-safe), a
 * promise (already running; its requests reach the cassette through the process-wide
 * fallback, so prefer the function form with `test.concurrent`), or, for the trajectory and
 * budget matchers, a finished run: an array of steps, a cassette handle, or `{ steps }`.
 *
 * @example
 * const runAgent = async (question: string) => `You asked: ${question}`
 * readReceivedRun(() => runAgent('Book me a flight'), false)?.kind // → 'function'
 * readReceivedRun(runAgent('Book me a flight'), false)?.kind // → 'promise'
 * readReceivedRun({ steps: [] }, true) // → { kind: 'steps', steps: [] }
 */
export function readReceivedRun(received: unknown, allowSteps: boolean): ReceivedRun | undefined {
  if (typeof received === 'function') return { kind: 'function', fn: received as () => unknown }
  if (isThenable(received)) return { kind: 'promise', promise: received }
  if (!allowSteps) return undefined
  if (Array.isArray(received)) return { kind: 'steps', steps: received as Step[] }
  if (received && typeof received === 'object') {
    const candidate = received as { steps?: unknown }
    if (typeof candidate.steps === 'function') return { kind: 'steps', steps: (candidate.steps as () => Step[])() }
    if (Array.isArray(candidate.steps)) return { kind: 'steps', steps: candidate.steps as Step[] }
  }
  return undefined
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
