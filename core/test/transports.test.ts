import { readFileSync } from 'node:fs'
import * as undici from 'undici'
import { describe, expect, test } from 'vitest'
import { findSecrets, readCassetteFile } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { startCassette, type CassetteHandle } from '../src/index.ts'
import { httpFetch } from './http-fetch.ts'
import { FAKE_KEYS, scenarios, type Scenario, type SdkFetch } from './provider-scenarios.ts'
import { tempCassettePath } from '../../test-support/temp-dir.ts'

// Taken before any cassette installs interception: a client holding this reference goes
// through Node's fetch → undici global dispatcher, the layer that catches SDK clients
// constructed before Retrace was set up.
const nativeFetch = globalThis.fetch

interface Transport {
  name: string
  fetchFor(cassette: CassetteHandle): SdkFetch
}

const transports: Transport[] = [
  { name: 'global fetch', fetchFor: () => undefined },
  { name: 'cassette.fetch', fetchFor: (cassette) => cassette.fetch },
  { name: 'undici.fetch (npm undici 8)', fetchFor: () => undici.fetch as unknown as typeof fetch },
  { name: 'node:http', fetchFor: () => httpFetch },
  { name: 'native fetch captured before interception', fetchFor: () => nativeFetch },
]

async function runOver(scenario: Scenario, provider: FakeProvider, fetchOption: SdkFetch): Promise<unknown> {
  if (!scenario.needsGlobalFetch || !fetchOption) return scenario.run(provider, fetchOption)
  // The Gemini SDK reads the global fetch per call: swap it in for the duration.
  const saved = globalThis.fetch
  globalThis.fetch = fetchOption
  try {
    return await scenario.run(provider, undefined)
  } finally {
    globalThis.fetch = saved
  }
}

const cases = scenarios.flatMap((scenario) =>
  transports
    .filter((transport) => !(scenario.needsGlobalFetch && transport.name === 'cassette.fetch'))
    .map((transport) => ({ scenario, transport, label: `${scenario.name} ${scenario.stream ? 'SSE' : 'JSON'} over ${transport.name}` })),
)

describe('record against the fake provider, stop it, replay offline', () => {
  test.each(cases)('$label', async ({ scenario, transport }) => {
    const file = tempCassettePath()
    const provider = await startFakeProvider()

    const recording = startCassette(file, { mode: 'record' })
    const recorded = await runOver(scenario, provider, transport.fetchFor(recording))
    const summary = await recording.stop()
    expect(summary.written).toBe(true)
    const callsWhileRecording = provider.requestCount
    expect(callsWhileRecording).toBeGreaterThan(0)
    await provider.stop()

    const replaying = startCassette(file, { mode: 'replay' })
    const replayed = await runOver(scenario, provider, transport.fetchFor(replaying))
    const replaySummary = await replaying.stop()

    expect(replayed).toEqual(recorded)
    expect(provider.requestCount).toBe(callsWhileRecording)
    expect(replaying.mismatches).toEqual([])
    expect(replaySummary.replayed).toBe(callsWhileRecording)

    const cassette = readCassetteFile(file)!
    expect(cassette.interactions).toHaveLength(callsWhileRecording)
    for (const interaction of cassette.interactions) {
      const body = interaction.response!.body!
      expect(Object.keys(body)).toEqual([scenario.stream ? 'sse' : 'json'])
      expect(interaction.step?.provider).toMatch(/^(openai|anthropic|gcp\.gemini)$/)
    }
    const text = readFileSync(file, 'utf8')
    expect(findSecrets(cassette)).toEqual([])
    for (const key of Object.values(FAKE_KEYS)) expect(text).not.toContain(key)
  })
})
