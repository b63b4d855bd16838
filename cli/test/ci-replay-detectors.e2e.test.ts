import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// `retrace ci replay --fail-on-detector`: the built binary on a project whose recorded agent
// asks the model for the same tool call three times (a loop) and another that asks once.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
const OFFLINE = 'http://127.0.0.1:9/v1'
let provider: FakeProvider
let project: FixtureProject

const AGENT = `import OpenAI from 'openai'

const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }]

/** Asks the model what to do, \`times\` times over, and never runs the tool it asks for. */
export async function askAgain(question, times) {
  const openai = new OpenAI({ apiKey: 'sk-fixture', baseURL: process.env.FAKE_OPENAI_URL, maxRetries: 0 })
  const calls = []
  for (let turn = 0; turn < times; turn++) {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], tools })
    calls.push(completion.choices[0].message.tool_calls?.[0]?.function.name)
  }
  return calls
}
`
const TESTS = `import { expect, test } from 'vitest'
import { askAgain } from './agent.js'

test('asks three times', async () => {
  await expect(() => askAgain('What is the weather in Paris?', 3)).toMatchCassette()
})

test('asks once', async () => {
  await expect(() => askAgain('What is the weather in Rome?', 1)).toMatchCassette()
})
`
const LOOPING = '__cassettes__/agent.test.ts/asks three times.cassette.json'
const retrace = (args: string[]) => runInProject(project, process.execPath, [retraceBin, ...args], { FAKE_OPENAI_URL: OFFLINE })

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'ci-detectors-fixture', private: true, type: 'module', devDependencies: { vitest: '*' } }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'\nimport { retrace } from '@retrace/vitest'\nexport default defineConfig({ plugins: [retrace()] })\n`,
    'agent.js': AGENT,
    'agent.test.ts': TESTS,
  })
  const recorded = await runInProject(project, process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], { FAKE_OPENAI_URL: provider.openaiBaseURL })
  expect(recorded.code, recorded.output).toBe(0)
  expect(project.cassettes()).toContain(LOOPING)
})
afterAll(() => provider.stop())

describe('retrace ci replay --fail-on-detector', () => {
  test('a replayed cassette flagged with a chosen kind exits 7, naming the cassette, the kind, the agent and the step; every report has it', async () => {
    const result = await retrace(['ci', 'replay', '--fail-on-detector', 'loop,ping-pong', '--report', 'json', 'reports/retrace.json', '--report', 'markdown', 'reports/retrace.md', '--report', 'junit', 'reports/retrace.xml'])
    expect(result.code, result.output).toBe(7)
    expect(result.output).toContain('▶ Ran the failure detectors over 2 replayed cassette(s); failing on loop, ping-pong.')
    expect(result.output).toContain('Retrace CI replay: FAIL (exit 7) · 2 matched · 0 regression(s) · 0 missing · 0 unmatched egress · 0 secret(s) · 1 detector flag(s)')
    expect(result.output).toContain(`flagged loop by agent at step 2: ${LOOPING} (agent.test.ts › asks three times)`)
    expect(result.output).toContain('loop (1.3 step repetition) by agent at step 2: agent called get_weather({"city":"Paris"}) 3 times')

    const report = JSON.parse(project.read('reports/retrace.json'))
    expect(report).toMatchObject({ exitCode: 7, counts: { passed: 2, flagged: 1 }, detectors: { failOn: ['loop', 'ping-pong'], cassettes: 2 } })
    const flagged = report.outcomes.filter((outcome: { outcome: string }) => outcome.outcome === 'flagged')
    expect(flagged).toEqual([
      expect.objectContaining({ exitCode: 7, cassette: join(project.dir, LOOPING), testName: 'asks three times', step: 2, flag: expect.objectContaining({ kind: 'loop', agent: 'agent', mastMode: '1.3 step repetition' }) }),
    ])
    expect(project.read('reports/retrace.md')).toContain('| 🚩 | flagged: loop by agent | agent.test.ts › asks three times | 2 |')
    expect(project.read('reports/retrace.xml')).toContain('<failure type="flagged" message="loop (1.3 step repetition) by agent at step 2: agent called get_weather')
  })

  test('no flag of the chosen kinds passes; without the option the detectors do not run', async () => {
    const other = await retrace(['ci', 'replay', '--fail-on-detector', 'ping-pong'])
    expect(other.code, other.output).toBe(0)
    expect(other.output).toContain('Retrace CI replay: PASS · 2 matched · 0 regression(s) · 0 missing · 0 unmatched egress · 0 secret(s) · 0 detector flag(s)')
    const plain = await retrace(['ci', 'replay'])
    expect(plain.code).toBe(0)
    expect(plain.output).not.toContain('detector')
  })

  test('an unknown kind is a usage error before any test runs', async () => {
    const result = await retrace(['ci', 'replay', '--fail-on-detector', 'telepathy'])
    expect(result.code).toBe(5)
    expect(result.output).toContain('--fail-on-detector takes detector kinds separated by commas; unknown: telepathy.')
    expect(result.output).not.toContain('Running')
  })
})
