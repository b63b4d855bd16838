import { expect, test } from 'vitest'
import { runTravelBudgetAgent } from './agent.ts'

test('converts dollars to euros', async () => {
  await expect(() => runTravelBudgetAgent('How much is 120 USD in EUR?')).toMatchCassette()
})

test('calls convert_currency with the amount and the currency', async () => {
  await expect(() => runTravelBudgetAgent('How much is 80 USD in GBP?')).toMatchTrajectory([
    { name: 'convert_currency', arguments: { amount: 80, currency: 'GBP' } },
  ])
})

test('answers in two steps, for under a tenth of a cent', async () => {
  await expect(() => runTravelBudgetAgent('How much is 300 USD in JPY?')).toStayWithinBudget({ usd: 0.001, tokens: 1_000, steps: 2 })
})
