// Interception installed by the setup module, as a Vitest/Jest `setupFiles` entry would,
// before a client is constructed at module load: that client must be captured later.
import '../src/setup.ts'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { isInterceptionInstalled, startCassette } from '../src/index.ts'
import { FAKE_KEYS } from './provider-scenarios.ts'
import { tempCassettePath } from '../../test-support/temp-dir.ts'

let provider: FakeProvider
let openai: OpenAI
beforeAll(async () => {
  provider = await startFakeProvider()
  // Built once, before any cassette exists, with the global fetch it finds now.
  openai = new OpenAI({ apiKey: FAKE_KEYS.openai, baseURL: provider.openaiBaseURL, maxRetries: 0 })
})
afterAll(() => provider.stop())

test('a client built after the setup module but before the cassette is recorded and replayed', async () => {
  expect(isInterceptionInstalled()).toBe(true)
  const ask = async () => (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'set up early' }] })).choices[0]!.message.content
  const file = tempCassettePath()
  const recording = startCassette(file, { mode: 'record' })
  const recorded = await ask()
  await recording.stop()
  expect(recording.interactions()).toHaveLength(1)

  const calls = provider.requestCount
  const replay = startCassette(file, { mode: 'replay' })
  expect(await ask()).toBe(recorded)
  await replay.stop()
  expect(provider.requestCount).toBe(calls)
  // Interception stays installed after the cassette stops: the setup module holds it.
  expect(isInterceptionInstalled()).toBe(true)
})
