import { afterAll, expect, test } from 'vitest'
import OpenAI from 'openai'
import { readCassetteFile } from '@retrace/cassettes'
import { tempCassettePath } from '../../../test-support/temp-dir.ts'
import { toNock } from '../../src/interop/nock.ts'
import { openAiRun, recordOpenAiRun, TEST_KEY } from './openai-run.ts'

// The exported definitions, loaded by the real nock.define, answer the OpenAI SDK exactly as
// the recording did. nock is imported only after recording, so it never sees the live calls.

let restore: (() => void) | undefined
afterAll(() => restore?.())

test('nock.define serves an exported cassette to the OpenAI SDK', async () => {
  const file = tempCassettePath()
  const { baseURL, recorded } = await recordOpenAiRun(file)
  const definitions = JSON.parse(JSON.stringify(toNock(readCassetteFile(file)!)))

  const { default: nock } = await import('nock')
  restore = () => {
    nock.cleanAll()
    nock.enableNetConnect()
    nock.restore()
  }
  nock.disableNetConnect()
  const scopes = nock.define(definitions)
  expect(scopes).toHaveLength(3)

  const replayed = await openAiRun(new OpenAI({ apiKey: TEST_KEY, baseURL, maxRetries: 0 }))
  expect(replayed).toEqual(recorded)
  expect(scopes.every((scope) => scope.isDone())).toBe(true)
})
