import { expect, test } from 'vitest'
import { EXIT } from '../exit-codes.ts'
import { ciVerdict, type CiOutcome } from './ci-verdict.ts'

// How detector flags (`--fail-on-detector`) weigh against the other outcomes of `ci replay`.

const flagged: CiOutcome = {
  outcome: 'flagged',
  exitCode: EXIT.flagged,
  cassette: '/p/__cassettes__/a.cassette.json',
  step: 2,
  message: 'loop (1.3 step repetition) by agent at step 2: …',
  flag: { kind: 'loop', mastMode: '1.3 step repetition', agent: 'agent', spanId: 's2', confidence: 0.85 },
}
const detectors = { failOn: ['loop'], cassettes: 1, outcomes: [flagged] }

test('a flag outranks a regression and ranks below a missing cassette (5 > 6 > 4 > 3 > 2 > 7 > 1)', () => {
  const diverged = { testPath: '/p/a.test.ts', testName: 'a', cassette: '/p/__cassettes__/a.cassette.json', outcome: 'diverged' as const }
  expect(ciVerdict({ entries: [diverged], checks: [], detectors }).exitCode).toBe(EXIT.flagged)
  expect(ciVerdict({ entries: [{ ...diverged, outcome: 'missing' }], checks: [], detectors }).exitCode).toBe(EXIT.missing)
  expect(ciVerdict({ entries: [{ ...diverged, outcome: 'identical' }], checks: [], detectors })).toMatchObject({ exitCode: EXIT.flagged, counts: { passed: 1, flagged: 1 }, detectors: { failOn: ['loop'], cassettes: 1 } })
})

test('a flag does not explain a failing test command: it is still reported as unexplained', () => {
  const verdict = ciVerdict({ entries: [], checks: [], tests: { command: 'vitest run', exitCode: 1 }, detectors })
  expect(verdict.unexplainedFailure).toContain('The test command (vitest run) failed with exit code 1')
  expect(verdict.exitCode).toBe(EXIT.flagged)
})
