import { describe, expect, test } from 'vitest'
import { RetraceConfigError, type StoredStep } from '@retrace/cassettes'
import { storedStep } from '../../../test-support/stored-steps.ts'
import type { RunnerContext } from '../runner-context.ts'
import { matchBudget, spendOf } from './stay-within-budget.ts'

const context: RunnerContext = { runner: 'jest', testPath: '/repo/agent.test.ts', testName: 'books', isNot: false, update: false }
const step = (inputTokens: number, outputTokens: number, costUsd?: number): StoredStep => storedStep({ usage: { inputTokens, outputTokens }, ...(costUsd === undefined ? {} : { costUsd }) })
const run = [step(1000, 200, 0.01), step(1500, 300, 0.02), step(10, 0)]

describe('toStayWithinBudget', () => {
  test('spendOf sums cost, input plus output tokens, and LLM calls', () => {
    const spent = spendOf(run)
    expect(spent.tokens).toBe(3010)
    expect(spent.steps).toBe(3)
    expect(spent.usd).toBeCloseTo(0.03, 10)
  })

  test('within every ceiling: passes, and says what was spent', async () => {
    const outcome = await matchBudget(context, run, { usd: 0.05, tokens: 8000, steps: 6 })
    expect(outcome.pass).toBe(true)
    expect(outcome.message()).toBe('The run stayed within budget (spent $0.030000, 3010 tokens, 3 LLM calls).')
  })

  test('over: names every ceiling gone over, and by how much', async () => {
    const outcome = await matchBudget(context, run, { usd: 0.02, tokens: 3000, steps: 3 })
    expect(outcome.pass).toBe(false)
    expect(outcome.message()).toBe('The run went over its budget:\n  • cost $0.030000 is over the $0.02 ceiling by $0.010000\n  • 3010 tokens is over the 3000 ceiling by 10\n\n(spent $0.030000, 3010 tokens, 3 LLM calls)')
  })

  test('a bad budget is a RetraceConfigError naming the ceiling', async () => {
    await expect(matchBudget(context, run, {})).rejects.toBeInstanceOf(RetraceConfigError)
    await expect(matchBudget(context, run, { dollars: 1 })).rejects.toThrow(/unknown ceiling\(s\) dollars/)
    await expect(matchBudget(context, run, { steps: -1 })).rejects.toMatchObject({ field: 'toStayWithinBudget steps' })
  })
})
