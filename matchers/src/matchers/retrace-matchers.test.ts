import { describe, expect, test } from 'vitest'
import type { StoredStep } from '@retrace/cassettes'
import { toolCallStep } from '../../../test-support/stored-steps.ts'
import { TestContextError } from '../errors/test-context-error.ts'
import type { RunnerContext } from '../runner-context.ts'
import { retraceMatchers } from './retrace-matchers.ts'

const steps: StoredStep[] = [toolCallStep('search')]

describe('retraceMatchers', () => {
  test('asks the adapter for the test context, saying which matcher asks and whether the agent runs under a cassette', async () => {
    const asked: Array<[string, boolean]> = []
    const matchers = retraceMatchers<{ testName: string }>((state, matcher, runsAgent) => {
      asked.push([matcher, runsAgent])
      return { runner: 'vitest', testPath: '/repo/agent.test.ts', testName: state.testName, isNot: false, update: false }
    })
    const state = { testName: 'books' }
    expect((await matchers.toMatchTrajectory.call(state, steps, ['search'])).pass).toBe(true)
    expect((await matchers.toStayWithinBudget.call(state, { steps }, { steps: 1 })).pass).toBe(true)
    expect(asked).toEqual([
      ['toMatchTrajectory', false],
      ['toStayWithinBudget', false],
    ])
  })

  test('a TestContextError from the adapter stops the matcher before the agent runs', async () => {
    const matchers = retraceMatchers<object>((_state, matcher, runsAgent): RunnerContext => {
      if (runsAgent) throw new TestContextError(matcher, 'concurrent')
      throw new Error('unreachable')
    })
    let ran = false
    const agent = () => {
      ran = true
    }
    await expect(Promise.resolve().then(() => matchers.toMatchCassette.call({}, agent))).rejects.toBeInstanceOf(TestContextError)
    await expect(Promise.resolve().then(() => matchers.toMatchTrajectory.call({}, agent, ['search']))).rejects.toThrow(/'toMatchTrajectory' cannot be used without test context/)
    expect(ran).toBe(false)
  })
})

describe('TestContextError', () => {
  test('names the matcher and tells the user to take expect from the test context', () => {
    const error = new TestContextError('toMatchCassette', 'outside-test')
    expect(error).toMatchObject({ code: 'RETRACE_NO_TEST_CONTEXT', matcher: 'toMatchCassette' })
    expect(error.message).toMatch(/^'toMatchCassette' cannot be used without test context: it was called outside a running test\./)
    expect(error.hint).toContain("test.concurrent('name', async ({ expect }) =>")
  })
})
