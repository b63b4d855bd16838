import axios from 'axios'
import got from 'got'
import { Agent, Client, request as undiciRequest } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readCassetteFile } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { startCassette } from '../src/index.ts'
import { FAKE_KEYS } from './provider-scenarios.ts'
import { tempCassettePath } from '../../test-support/temp-dir.ts'

// HTTP clients used directly, without an LLM SDK: each records against the fake provider
// and replays with it stopped.

const chatBody = (content: string, stream = false) => JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content }] })
const headers = { 'content-type': 'application/json', authorization: `Bearer ${FAKE_KEYS.openai}` }

let provider: FakeProvider
beforeAll(async () => {
  provider = await startFakeProvider()
})
afterAll(() => provider.stop())

type Call = (baseURL: string) => Promise<unknown>

const clients: Array<{ name: string; call: Call }> = [
  {
    name: 'undici.request (JSON)',
    call: async (base) => (await undiciRequest(`${base}/chat/completions`, { method: 'POST', headers, body: chatBody('hi from undici') })).body.json(),
  },
  {
    name: 'undici.request (SSE, read as text)',
    call: async (base) => (await undiciRequest(`${base}/chat/completions`, { method: 'POST', headers, body: chatBody('stream from undici', true) })).body.text(),
  },
  {
    name: 'a new undici.Client(origin)',
    call: async (base) => {
      const url = new URL(base)
      const client = new Client(url.origin)
      try {
        const response = await client.request({ path: `${url.pathname}/chat/completions`, method: 'POST', headers, body: chatBody('hi from a Client') })
        return { status: response.statusCode, body: await response.body.json() }
      } finally {
        await client.close()
      }
    },
  },
  {
    name: 'undici.request with { dispatcher: new Agent() }',
    call: async (base) => {
      const agent = new Agent()
      try {
        return await (await undiciRequest(`${base}/chat/completions`, { method: 'POST', headers, body: chatBody('hi via an Agent'), dispatcher: agent })).body.json()
      } finally {
        await agent.close()
      }
    },
  },
  {
    name: 'axios (JSON)',
    call: async (base) => (await axios.post(`${base}/chat/completions`, chatBody('hi from axios'), { headers })).data,
  },
  {
    name: 'axios (SSE as a stream)',
    call: async (base) => {
      const response = await axios.post(`${base}/chat/completions`, chatBody('stream from axios', true), { headers, responseType: 'stream' })
      const chunks: string[] = []
      for await (const chunk of response.data as AsyncIterable<Buffer>) chunks.push(chunk.toString())
      return chunks.join('')
    },
  },
  {
    name: 'got (JSON)',
    call: async (base) => got.post(`${base}/chat/completions`, { body: chatBody('hi from got'), headers, retry: { limit: 0 } }).json(),
  },
]

describe('clients used directly: record, stop the provider, replay', () => {
  test.each(clients)('$name', async ({ call }) => {
    const base = provider.openaiBaseURL
    const file = tempCassettePath()
    const before = provider.requestCount
    const recording = startCassette(file, { mode: 'record' })
    const recorded = await call(base)
    await recording.stop()
    expect(provider.requestCount).toBe(before + 1)
    expect(readCassetteFile(file)!.interactions).toHaveLength(1)

    const replay = startCassette(file, { mode: 'replay' })
    const replayed = await call(base)
    await replay.stop()
    expect(replayed).toEqual(recorded)
    expect(replay.mismatches).toEqual([])
    expect(provider.requestCount).toBe(before + 1)
  })
})
