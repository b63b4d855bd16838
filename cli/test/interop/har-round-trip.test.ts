import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { readCassetteFile, writeCassetteFile, type Cassette } from '@retrace/cassettes'
import { tempCassettePath } from '../../../test-support/temp-dir.ts'
import { finishImport } from '../../src/interop/finish-import.ts'
import { fromHar, toHar } from '../../src/interop/har.ts'
import { recordOpenAiRun, replayOpenAiRun, TEST_KEY, type OpenAiRunResult } from './openai-run.ts'

// A real recording (OpenAI SDK, JSON tool loop and a stream) goes to HAR and back, and the
// imported cassette must replay to exactly what the SDK parsed when recording.

let original: Cassette
let baseURL: string
let recorded: OpenAiRunResult
let folder: string

beforeAll(async () => {
  const file = tempCassettePath('recorded.cassette.json')
  folder = join(file, '..')
  ;({ baseURL, recorded } = await recordOpenAiRun(file))
  original = readCassetteFile(file)!
  expect(original.interactions).toHaveLength(3)
  expect(recorded.first.choices[0]!.message.tool_calls).toHaveLength(1)
  expect(recorded.chunks.length).toBeGreaterThan(2)
})

const importHar = async (har: unknown, name: string): Promise<string> => {
  const file = join(folder, name)
  await writeCassetteFile(file, finishImport(fromHar(har), 'har'))
  return file
}

describe('cassette → HAR → cassette', () => {
  test('restores every interaction exactly, and replays to the same SDK results', async () => {
    const harFile = join(folder, 'run.har')
    writeFileSync(harFile, JSON.stringify(toHar(original), null, 2))
    expect(readFileSync(harFile, 'utf8')).not.toContain(TEST_KEY)
    const file = await importHar(JSON.parse(readFileSync(harFile, 'utf8')), 'from-har.cassette.json')
    expect(readCassetteFile(file)!.interactions).toEqual(original.interactions)
    expect(await replayOpenAiRun(file, baseURL)).toEqual(recorded)
  })

  test('a plain HAR (no _retrace fields, as a browser or Polly writes) replays the same too', async () => {
    const har = JSON.parse(JSON.stringify(toHar(original))) as { log: { entries: Array<Record<string, unknown>>; _retrace?: unknown } }
    delete har.log._retrace
    for (const entry of har.log.entries) delete entry['_retrace']
    expect(JSON.stringify(har)).not.toContain('_retrace')
    const file = await importHar(har, 'from-plain-har.cassette.json')
    const imported = readCassetteFile(file)!
    // The stream is split back into the same events; only their offsets are estimated.
    const events = (cassette: Cassette) => cassette.interactions.map((interaction) => (interaction.response?.body && 'sse' in interaction.response.body ? interaction.response.body.sse.map(({ t: _t, ...event }) => event) : undefined))
    expect(events(imported)).toEqual(events(original))
    expect(imported.interactions.map((interaction) => interaction.step)).toEqual(original.interactions.map((interaction) => interaction.step))
    expect(await replayOpenAiRun(file, baseURL)).toEqual(recorded)
  })
})
