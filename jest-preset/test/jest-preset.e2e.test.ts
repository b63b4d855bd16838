import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readCassetteFile } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { FIXTURE_AGENT } from '../../test-support/fixture-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// Jest runs as a child process, with two workers and two test files, on a generated project
// whose only Retrace set-up is `preset: '@retrace/jest-preset'`. Steps build on each other.

let provider: FakeProvider
let project: FixtureProject
const OFFLINE = 'http://127.0.0.1:9/v1'

const weatherTests = (question = 'What is the weather in Paris?') => `import { runAgent } from './agent'

test('weather in Paris', async () => {
  await expect(() => runAgent('${question}')).toMatchCassette()
})

describe('tools', () => {
  test('parallel calls, trajectory and budget', async () => {
    await expect(runAgent('Please get_weather and get_time for Rome')).toMatchCassette()
    await expect(() => runAgent('Please get_weather and get_time for Rome')).toMatchTrajectory(['get_time', 'get_weather'], { mode: 'unordered' })
    await expect(() => runAgent('What is the weather in Oslo?')).toStayWithinBudget({ tokens: 10000, steps: 2 })
  })
})
`

// An agent on node:http: patched once by the test file's realm (the preset) and once outside
// it when `retrace ci replay` installs Retrace in every process; both must agree on the cassette.
const httpAgent = `import http from 'node:http'

export function askOverHttp(question: string): Promise<string> {
  const url = new URL(\`\${process.env.FAKE_OPENAI_URL}/chat/completions\`)
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-fixture' } }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve(JSON.parse(text).choices[0].message.content))
    })
    request.on('error', reject)
    request.end(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }))
  })
}
`
const retraceBin = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'retrace.js')

const jest = (args: string[], env: Record<string, string>) => runInProject(project, process.execPath, ['node_modules/jest/bin/jest.js', '-w', '2', ...args], env)

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'jest-fixture', private: true }),
    'jest.config.cjs': `module.exports = { preset: '@retrace/jest-preset' }\n`,
    'agent.ts': FIXTURE_AGENT.replace('export async function runAgent(question, options = {})', 'export async function runAgent(question: string, options: { tools?: boolean } = {}): Promise<string>').replace('function runTool(name, args)', 'function runTool(name: string, args: { city: string })'),
    'weather.test.ts': weatherTests(),
    'lisbon.test.js': `import { runAgent } from './agent'\n\ntest('weather in Lisbon', async () => {\n  await expect(() => runAgent('What is the weather in Lisbon?')).toMatchCassette()\n})\n`,
  })
})
afterAll(() => provider.stop())

// Each step spawns Jest; a cold cache or a busy machine makes the first one slow.
describe('@retrace/jest-preset end to end', { timeout: 90_000 }, () => {
  test('the first run records, across two workers and two files', async () => {
    const result = await jest([], { FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(result.output).toContain('Tests:       3 passed, 3 total')
    expect(result.code).toBe(0)
    expect(project.cassettes()).toEqual([
      '__cassettes__/lisbon.test.js/weather in Lisbon.cassette.json',
      '__cassettes__/weather.test.ts/tools parallel calls, trajectory and budget 2.cassette.json',
      '__cassettes__/weather.test.ts/tools parallel calls, trajectory and budget 3.cassette.json',
      '__cassettes__/weather.test.ts/tools parallel calls, trajectory and budget.cassette.json',
      '__cassettes__/weather.test.ts/weather in Paris.cassette.json',
    ])
    expect(result.output).toContain('Retrace cassettes: 5 recorded · 0 replayed · 0 equivalent · 0 diverged · 0 obsolete')
    expect(readCassetteFile(`${project.dir}/__cassettes__/weather.test.ts/weather in Paris.cassette.json`)!.run?.result).toMatch(/^Based on get_weather/)
  })

  test('the next run replays offline', async () => {
    const calls = provider.requestCount
    const result = await jest([], { FAKE_OPENAI_URL: OFFLINE })
    expect(result.output).toContain('Tests:       3 passed, 3 total')
    expect(result.code).toBe(0)
    expect(result.output).toContain('Retrace cassettes: 0 recorded · 5 replayed · 5 equivalent · 0 diverged · 0 obsolete')
    expect(provider.requestCount).toBe(calls)
  })

  test('a changed prompt fails with the step, the field and the jest command to re-record', async () => {
    project.write('weather.test.ts', weatherTests('What is the weather in Lyon?'))
    const result = await jest([], { FAKE_OPENAI_URL: OFFLINE })
    expect(result.code).toBe(1)
    expect(result.output).toContain('The agent now sends a different request at step 1')
    expect(result.output).toContain('$.messages[0].content: What is the weather in [-Paris-]{+Lyon+}?')
    expect(result.output).toContain('npx jest weather.test.ts -t "weather in Paris" -u')
  })

  test('under CI nothing is recorded', async () => {
    project.write('nice.test.ts', `import { runAgent } from './agent'\n\ntest('weather in Nice', async () => {\n  await expect(() => runAgent('What is the weather in Nice?')).toMatchCassette()\n})\n`)
    const result = await jest(['nice.test.ts'], { FAKE_OPENAI_URL: provider.openaiBaseURL, CI: 'true' })
    expect(result.code).toBe(1)
    expect(result.output).toContain('No cassette for this test: __cassettes__/nice.test.ts/weather in Nice.cassette.json')
    expect(project.exists('__cassettes__/nice.test.ts/weather in Nice.cassette.json')).toBe(false)
  })

  test('-u re-records the changed test', async () => {
    const result = await jest(['-u', 'weather.test.ts'], { FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(result.code).toBe(0)
    expect(project.read('__cassettes__/weather.test.ts/weather in Paris.cassette.json')).toContain('What is the weather in Lyon?')
    const replay = await jest(['weather.test.ts'], { FAKE_OPENAI_URL: OFFLINE })
    expect(replay.code).toBe(0)
  })

  test('retrace ci replay passes the replayed project, over fetch and node:http alike', async () => {
    project.write('http-agent.ts', httpAgent)
    project.write('http.test.ts', `import { askOverHttp } from './http-agent'\n\ntest('over node:http', async () => {\n  await expect(() => askOverHttp('Hello over node:http')).toMatchCassette()\n})\n`)
    const recorded = await jest(['http.test.ts'], { FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(recorded.code).toBe(0)
    const calls = provider.requestCount
    const gate = await runInProject(project, process.execPath, [retraceBin, 'ci', 'replay', '--', process.execPath, 'node_modules/jest/bin/jest.js', 'http.test.ts', 'lisbon.test.js'], { FAKE_OPENAI_URL: OFFLINE })
    expect(gate.output).toContain('Retrace CI replay: PASS · 2 matched · 0 regression(s) · 0 missing · 0 unmatched egress')
    expect(gate.code).toBe(0)
    expect(provider.requestCount).toBe(calls)
    // Two runs of Jest (record, then the gate) in one step.
  }, 60_000)
})

// Jest's documented native-ESM set-up (`transform: {}`, `node --experimental-vm-modules`) in a
// `"type": "module"` project, with the preset: an `.mjs` test and a TypeScript test Jest treats
// as ESM keep their `import`s (and `import.meta`), record, then replay offline. A cold Jest
// cache transforms Retrace's built files first: allow for it.
describe('@retrace/jest-preset under native ESM', { timeout: 120_000 }, () => {
  let esm: FixtureProject
  const jestEsm = (env: Record<string, string>) =>
    runInProject(esm, process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '-w', '2'], env)

  beforeAll(() => {
    esm = createFixtureProject({
      'package.json': JSON.stringify({ name: 'jest-esm-fixture', private: true, type: 'module' }),
      'jest.config.js': `export default { preset: '@retrace/jest-preset', transform: {}, extensionsToTreatAsEsm: ['.ts'] }\n`,
      'agent.mjs': FIXTURE_AGENT,
      'paris.test.mjs': `import { runAgent } from './agent.mjs'

test('weather in Paris', async () => {
  expect(import.meta.url).toMatch(/paris\\.test\\.mjs$/)
  await expect(() => runAgent('What is the weather in Paris?')).toMatchCassette()
})
`,
      'rome.test.ts': `import { runAgent } from './agent.mjs'

test('weather in Rome', async () => {
  const question: string = 'What is the weather in Rome?'
  expect(import.meta.url).toMatch(/rome\\.test\\.ts$/)
  await expect(() => runAgent(question)).toMatchCassette()
})
`,
    })
  })

  test('records, keeping ES modules as ES modules', async () => {
    const result = await jestEsm({ FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(result.output).not.toContain('require is not defined')
    expect(result.output).toContain('Tests:       2 passed, 2 total')
    expect(result.output).toContain('Retrace cassettes: 2 recorded')
    expect(result.code).toBe(0)
  })

  test('replays offline', async () => {
    const calls = provider.requestCount
    const result = await jestEsm({ FAKE_OPENAI_URL: OFFLINE })
    expect(result.output).toContain('Tests:       2 passed, 2 total')
    expect(result.output).toContain('Retrace cassettes: 0 recorded · 2 replayed · 2 equivalent · 0 diverged')
    expect(result.code).toBe(0)
    expect(provider.requestCount).toBe(calls)
  })
})

// README "Already using another preset? Add the pieces yourself": a CommonJS project whose Jest
// config names the three entry points and nothing else, so no transform of the preset's runs on
// node_modules. The secret scan still runs there (the question carries a Stripe key that only
// secretlint's rules know), and the cassette keeps only its mask.
describe('@retrace/jest-preset pieces without the preset', { timeout: 120_000 }, () => {
  const STRIPE_KEY = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc'
  let pieces: FixtureProject

  beforeAll(() => {
    pieces = createFixtureProject({
      'package.json': JSON.stringify({ name: 'jest-pieces-fixture', private: true }),
      'jest.config.mjs': `export default {
  setupFiles: ['@retrace/jest-preset/interception'],
  setupFilesAfterEnv: ['@retrace/jest-preset/setup'],
  reporters: ['default', '@retrace/jest-preset/reporter'],
}
`,
      'agent.cjs': `${FIXTURE_AGENT.replace("import OpenAI from 'openai'", "const { OpenAI } = require('openai')").replace('export async function runAgent', 'async function runAgent')}\nmodule.exports = { runAgent }\n`,
      'billing.test.js': `const { runAgent } = require('./agent.cjs')

test('a question with a key in it', async () => {
  await expect(() => runAgent('Is ${STRIPE_KEY} a live key?', { tools: false })).toMatchCassette()
})
`,
    })
  })

  test('record with the secret masked, then replay offline', async () => {
    const jestPieces = (env: Record<string, string>) => runInProject(pieces, process.execPath, ['node_modules/jest/bin/jest.js'], env)
    const recorded = await jestPieces({ FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(recorded.output).toContain('Tests:       1 passed, 1 total')
    expect(recorded.output).toContain('Retrace cassettes: 1 recorded')
    expect(recorded.code).toBe(0)
    const cassette = pieces.read('__cassettes__/billing.test.js/a question with a key in it.cassette.json')
    expect(cassette).toContain('[REDACTED:stripe-key]')
    expect(cassette).not.toContain(STRIPE_KEY)
    const replayed = await jestPieces({ FAKE_OPENAI_URL: OFFLINE })
    expect(replayed.output).toContain('Retrace cassettes: 0 recorded · 1 replayed · 1 equivalent · 0 diverged')
    expect(replayed.code).toBe(0)
  })
})
