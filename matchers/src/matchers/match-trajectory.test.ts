import { describe, expect, test } from 'vitest'
import { RetraceConfigError, type JsonValue, type StoredStep } from '@retrace/cassettes'
import { toolCallStep } from '../../../test-support/stored-steps.ts'
import type { RunnerContext } from '../runner-context.ts'
import { matchTrajectory } from './match-trajectory.ts'

const context: RunnerContext = { runner: 'vitest', testPath: '/repo/agent.test.ts', testName: 'books', isNot: false, update: false }
const calls = (...list: Array<[string, JsonValue?]>): StoredStep[] => list.map(([name, args]) => toolCallStep(name, args))
const run = calls(['search_flights', { to: 'Paris', when: 'monday' }], ['book_flight', { flight: 'AF123' }])

describe('toMatchTrajectory on a finished run', () => {
  test('strict (default): the same calls in the same order', async () => {
    expect((await matchTrajectory(context, run, ['search_flights', 'book_flight'], undefined)).pass).toBe(true)
    const outcome = await matchTrajectory(context, run, ['book_flight', 'search_flights'], undefined)
    expect(outcome.pass).toBe(false)
    expect(outcome.message()).toBe(
      `The run's tool calls do not match the expected trajectory (strict): call 1 is search_flights with {"to":"Paris","when":"monday"}, expected book_flight\n\n  expected: [book_flight, search_flights]\n  received: [search_flights, book_flight]`,
    )
    expect(outcome).toMatchObject({ expected: ['book_flight', 'search_flights'], actual: ['search_flights', 'book_flight'] })
  })

  test('strict: a missing and an extra call are named by position', async () => {
    expect((await matchTrajectory(context, run, ['search_flights'], {})).message()).toContain('call 2 (book_flight) was not expected')
    expect((await matchTrajectory(context, run, ['search_flights', 'book_flight', 'pay'], {})).message()).toContain('call 3 (pay) was never made')
  })

  test('expected arguments match a call whose arguments contain them', async () => {
    expect((await matchTrajectory(context, run, [{ name: 'search_flights', arguments: { to: 'Paris' } }, 'book_flight'], {})).pass).toBe(true)
    const outcome = await matchTrajectory(context, run, [{ name: 'search_flights', arguments: { to: 'Lyon' } }, 'book_flight'], {})
    expect(outcome.message()).toContain('expected search_flights with {"to":"Lyon"}')
  })

  test.each([
    ['unordered', ['book_flight', 'search_flights'], true, ''],
    ['unordered', ['search_flights'], false, 'also called book_flight'],
    ['subset', ['search_flights', 'book_flight', 'pay'], true, ''],
    ['subset', ['search_flights'], false, 'called book_flight, which the trajectory does not allow'],
    ['superset', ['book_flight'], true, ''],
    ['superset', ['book_flight', 'pay'], false, 'never called pay'],
  ] as const)('%s %j → pass %s', async (mode, expected, pass, problem) => {
    const outcome = await matchTrajectory(context, run, expected, { mode })
    expect(outcome.pass).toBe(pass)
    if (!pass) expect(outcome.message()).toContain(`(${mode}): ${problem}`)
  })

  test('a cassette handle or { steps } is read like an array of steps', async () => {
    expect((await matchTrajectory(context, { steps: () => run }, ['search_flights', 'book_flight'], {})).pass).toBe(true)
    expect((await matchTrajectory(context, { steps: run }, ['search_flights', 'book_flight'], {})).pass).toBe(true)
  })

  test('a bad mode or expected list is a RetraceConfigError with an example', async () => {
    await expect(matchTrajectory(context, run, ['a'], { mode: 'loose' })).rejects.toMatchObject({ field: 'toMatchTrajectory mode' })
    await expect(matchTrajectory(context, run, 'search_flights', {})).rejects.toBeInstanceOf(RetraceConfigError)
    await expect(matchTrajectory(context, run, [{ arguments: {} }], {})).rejects.toMatchObject({ field: 'toMatchTrajectory expected' })
  })
})
