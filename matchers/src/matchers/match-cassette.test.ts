import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { closeRunLedger, type LedgerEntry } from '@retrace/core'
import { RetraceError } from '@retrace/cassettes'
import type { RunnerContext } from '../runner-context.ts'
import { cassettePathFor } from '../naming/cassette-path.ts'
import { startTest } from '../runs/run-under-cassette.ts'
import { matchCassette } from './match-cassette.ts'

// The matcher as a runner adapter calls it, on agents that return a result without calling
// a model: what is checked here is where the cassette goes, what the outcome says, and what
// the run ledger (read by the reporters and `retrace ci`) is told.

let runDir: string
let context: RunnerContext

beforeEach(() => {
  runDir = mkdtempSync(join(tmpdir(), 'retrace-run-'))
  // Locally (recording allowed), with this test's own run ledger.
  vi.stubEnv('CI', '')
  vi.stubEnv('RETRACE_MODE', undefined)
  vi.stubEnv('RETRACE_UPDATE', undefined)
  vi.stubEnv('RETRACE_MATCHER_DEFAULTS', undefined)
  vi.stubEnv('RETRACE_RUN_DIR', runDir)
  const testPath = join(mkdtempSync(join(tmpdir(), 'retrace-matchers-')), 'agent.test.ts')
  context = { runner: 'vitest', testPath, testName: 'books a flight', isNot: false, update: false }
  startTest(context.testPath, context.testName)
})
afterEach(() => vi.unstubAllEnvs())

const ledger = (): LedgerEntry[] => closeRunLedger({ dir: runDir, owned: false }) ?? []

describe('toMatchCassette', () => {
  test('first run: records __cassettes__/<file>/<test name>.cassette.json with the result, and says so', async () => {
    const file = cassettePathFor(context.testPath, context.testName)
    const outcome = await matchCassette(context, () => ({ booked: 'AF123' }), [])
    expect(outcome.pass).toBe(true)
    expect(outcome.message()).toBe(`Recorded ${file}`)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ run: { result: { booked: 'AF123' }, test: { file: 'agent.test.ts', name: 'books a flight' } } })
    expect(ledger()).toEqual([{ testPath: context.testPath, testName: context.testName, cassette: file, outcome: 'recorded' }])
  })

  test('a named cassette, and a second one in the same test, get their own files', async () => {
    await matchCassette(context, () => 1, ['search'])
    await matchCassette(context, () => 2, [])
    await matchCassette(context, () => 3, [])
    expect(ledger().map((entry) => entry.cassette)).toEqual([
      cassettePathFor(context.testPath, 'search'),
      cassettePathFor(context.testPath, context.testName),
      cassettePathFor(context.testPath, context.testName, 2),
    ])
  })

  test('a retry of the test starts counting again: it replays the same cassettes', async () => {
    await matchCassette(context, () => 1, [])
    startTest(context.testPath, context.testName)
    expect((await matchCassette(context, () => 1, [])).message()).toBe(`The run is identical to ${cassettePathFor(context.testPath, context.testName)}`)
  })

  test('second run: replays and passes when identical; a different result diverges with expected and actual', async () => {
    const file = cassettePathFor(context.testPath, context.testName)
    await matchCassette(context, () => ({ booked: 'AF123', seats: 1 }), [])
    startTest(context.testPath, context.testName)
    const same = await matchCassette(context, () => ({ booked: 'AF123', seats: 1 }), [])
    expect(same).toMatchObject({ pass: true })
    startTest(context.testPath, context.testName)
    const changed = await matchCassette(context, () => ({ booked: 'AF123', seats: 2 }), [])
    expect(changed.pass).toBe(false)
    expect(changed.message()).toMatch(/^The replayed run diverged from the golden cassette/)
    expect(changed.message()).toContain('If the new behaviour is right, re-record: npx vitest run')
    expect(changed).toMatchObject({ expected: { booked: 'AF123', seats: 1 }, actual: { booked: 'AF123', seats: 2 } })
    const entries = ledger()
    expect(entries.map((entry) => entry.outcome)).toEqual(['recorded', 'identical', 'diverged'])
    expect(entries[2]).toMatchObject({ cassette: file, message: changed.message() })
  })

  test('a runner that renders its own diff (Jest) gets it in the message instead of expected/actual', async () => {
    await matchCassette(context, () => 'golden', [])
    startTest(context.testPath, context.testName)
    const outcome = await matchCassette({ ...context, diff: (expected, received) => `- ${String(expected)}\n+ ${String(received)}` }, () => 'changed', [])
    expect(outcome.pass).toBe(false)
    expect(outcome.message()).toMatch(/\n\n- golden\n\+ changed$/)
    expect(outcome).not.toHaveProperty('expected')
  })

  test('under CI a missing cassette fails, says how to record it, records nothing, and is in the ledger as missing', async () => {
    vi.stubEnv('CI', 'true')
    const file = cassettePathFor(context.testPath, context.testName)
    let ran = false
    const outcome = await matchCassette(context, () => (ran = true), [])
    expect(outcome.pass).toBe(false)
    expect(outcome.message()).toMatch(/^No cassette for this test: .*agent\.test\.ts.books a flight\.cassette\.json/)
    expect(outcome.message()).toContain('npx vitest run')
    expect(ran).toBe(false)
    expect(existsSync(file)).toBe(false)
    expect(ledger()).toEqual([{ testPath: context.testPath, testName: context.testName, cassette: file, outcome: 'missing', message: outcome.message() }])
  })

  test('a corrupt cassette fails as unusable and is never overwritten', async () => {
    const file = cassettePathFor(context.testPath, context.testName)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, '{ "version": 1, ')
    const outcome = await matchCassette({ ...context, update: true }, () => 1, [])
    expect(outcome.pass).toBe(false)
    expect(outcome.message()).toContain(file)
    expect(readFileSync(file, 'utf8')).toBe('{ "version": 1, ')
    expect(ledger()).toMatchObject([{ cassette: file, outcome: 'unusable' }])
  })

  test('an agent that throws while recording: the agent’s error, no cassette written, ledger says failed', async () => {
    const file = cassettePathFor(context.testPath, context.testName)
    const outcome = await matchCassette(context, () => {
      throw new TypeError('city is undefined')
    }, [])
    expect(outcome.pass).toBe(false)
    expect(outcome.message()).toContain('The agent threw while recording; nothing was written:\n\n  TypeError: city is undefined')
    expect(existsSync(file)).toBe(false)
    expect(ledger()).toMatchObject([{ cassette: file, outcome: 'failed' }])
  })

  test('usage errors: .not, and something that is not an agent', async () => {
    await expect(matchCassette({ ...context, isNot: true }, () => 1, [])).rejects.toThrow(/cannot be negated with \.not/)
    await expect(matchCassette(context, 'an answer', [])).rejects.toMatchObject({ code: 'RETRACE_MATCHER_USAGE' })
    await expect(matchCassette(context, 'an answer', [])).rejects.toBeInstanceOf(RetraceError)
    expect(ledger()).toEqual([])
  })
})
