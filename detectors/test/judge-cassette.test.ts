import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, expect, test } from 'vitest'
import { withCassette } from '@retrace/core'
import { startFakeProvider } from '@retrace/fake-provider'
import { createLlmJudge, detectAsync } from '../src/index.ts'
import { fixtureNamed } from './fixture.ts'

// What the README promises: a judge whose model calls go through a cassette replays offline,
// with the same flags. The model is the project's fake provider; replay runs after it stopped.
const dir = mkdtempSync(join(tmpdir(), 'retrace-judge-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('an LLM judge recorded in a cassette replays offline with the same verdict', async () => {
  const provider = await startFakeProvider({ respond: () => ({ text: '{"rescore":[{"flag":0,"confidence":0.97}],"add":[]}' }) })
  const judgeThrough = (fetch: typeof globalThis.fetch) =>
    createLlmJudge({
      id: 'gpt-4o-mini/mast-v1',
      complete: async (prompt) => {
        const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, fetch })
        const answer = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] })
        return answer.choices[0]!.message.content ?? ''
      },
    })
  const trace = fixtureNamed('premature: it gives up').trace
  const file = join(dir, 'judge.cassette.json')
  const recorded = await withCassette(file, { mode: 'record', modeFromEnvironment: false }, (cassette) => detectAsync(trace, { judge: judgeThrough(cassette.fetch) }))
  await provider.stop()
  const replayed = await withCassette(file, { mode: 'replay', modeFromEnvironment: false }, (cassette) => detectAsync(trace, { judge: judgeThrough(cassette.fetch) }))
  expect(recorded.flags[0]).toMatchObject({ kind: 'premature-termination', confidence: 0.97 })
  expect(replayed).toEqual(recorded)
  expect(provider.requestCount).toBe(1)
})
