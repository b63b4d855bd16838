import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { readCassetteFile } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// A standalone golden cassette, written by the runtime SDK's writeGoldenCassette, names its
// entry point; `retrace ci replay` re-runs that function offline with the recorded input.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
let provider: FakeProvider
let project: FixtureProject

const agentSource = (system: string) => `import OpenAI from 'openai'
import { record } from '@retrace/core'

export const runAgent = record({ name: 'runAgent' }, async (question: string) => {
  const openai = new OpenAI({ apiKey: 'sk-fixture', baseURL: process.env.FAKE_OPENAI_URL, maxRetries: 0 })
  const completion = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'system', content: '${system}' }, { role: 'user', content: question }],
  })
  return completion.choices[0]!.message.content
})
`

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'golden-fixture', private: true, type: 'module' }),
    'agent.ts': agentSource('You are terse.'),
    'make-golden.ts': `import { writeGoldenCassette } from '@retrace/core'\nimport { runAgent } from './agent.ts'\n\nawait runAgent('What is the weather in Paris?')\nawait writeGoldenCassette('goldens/weather.cassette.json', { trace: runAgent.lastTrace! })\n`,
  })
  const made = await runInProject(project, process.execPath, ['make-golden.ts'], { FAKE_OPENAI_URL: provider.openaiBaseURL })
  expect(made.code, made.output).toBe(0)
})
afterAll(() => provider.stop())

test('writeGoldenCassette names the entry point and the input, relative to the cassette', () => {
  const golden = readCassetteFile(join(project.dir, 'goldens', 'weather.cassette.json'))!
  expect(golden.run).toMatchObject({ result: 'You said: What is the weather in Paris?', entry: { module: '../agent.ts', export: 'runAgent', input: ['What is the weather in Paris?'] } })
  expect(golden.interactions).toHaveLength(1)
  expect(JSON.stringify(golden)).not.toContain('sk-fixture')
})

test('retrace ci replay re-runs the golden offline (exit 0), and fails when the agent changed (exit 1)', async () => {
  const retrace = () => runInProject(project, process.execPath, [retraceBin, 'ci', 'replay', '--', process.execPath, '-e', ''], { FAKE_OPENAI_URL: 'http://127.0.0.1:9/v1' })
  const calls = provider.requestCount
  const pass = await retrace()
  expect(pass.output).toContain('Replayed 1 standalone golden cassette(s).')
  expect(pass.output).toContain('PASS · 1 matched')
  expect(pass.code).toBe(0)
  expect(provider.requestCount).toBe(calls)

  project.write('agent.ts', agentSource('You are verbose.'))
  const changed = await retrace()
  expect(changed.code).toBe(1)
  expect(changed.output).toContain('request-changed at step 1: agent.ts › runAgent()')
})
