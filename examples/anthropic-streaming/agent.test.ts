import { expect, test } from 'vitest'
import { runResearchAgent } from './agent.ts'

const question = 'What are the stock price and the company news for ACME?'

test('streams an answer built on both tools', async () => {
  const deltas: string[] = []
  let answer = ''
  await expect(async () => (answer = await runResearchAgent(question, { onText: (delta) => deltas.push(delta) }))).toMatchCassette()
  // The replayed stream reaches the callback piece by piece, as the live one did.
  expect(deltas.length).toBeGreaterThan(1)
  expect(deltas.join('')).toBe(answer)
})

test('asks for the price and the news, in parallel, for the ticker', async () => {
  await expect(() => runResearchAgent(question)).toMatchTrajectory(
    [
      { name: 'company_news', arguments: { ticker: 'ACME' } },
      { name: 'stock_price', arguments: { ticker: 'ACME' } },
    ],
    { mode: 'unordered' },
  )
})

test('answers in two model calls, for under a cent', async () => {
  await expect(() => runResearchAgent(question)).toStayWithinBudget({ usd: 0.01, tokens: 2_000, steps: 2 })
})
