// The same agent under Jest (`npm run test:jest`): `preset: '@retrace/jest-preset'` in
// jest.config.js, the same matchers. Named *.jest.ts so Vitest leaves it alone.
import { expect, test } from '@jest/globals'
import { runWeatherAgent } from './agent.ts'

test('answers with the weather in Paris', async () => {
  await expect(() => runWeatherAgent('What is the weather in Paris?')).toMatchCassette()
})

test('looks the city up with get_weather', async () => {
  await expect(() => runWeatherAgent('What is the weather in Oslo?')).toMatchTrajectory([{ name: 'get_weather', arguments: { city: 'Oslo' } }])
})

test('answers in two model calls, for under a tenth of a cent', async () => {
  await expect(() => runWeatherAgent('What is the weather in Rome?')).toStayWithinBudget({ usd: 0.001, tokens: 1_000, steps: 2 })
})
