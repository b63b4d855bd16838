import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/core/fake-provider'
import { FIXTURE_AGENT } from '../../test-support/fixture-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// Jest's documented native-ESM set-up (`transform: {}`, `node --experimental-vm-modules`) in a
// `"type": "module"` project, with the preset: an `.mjs` test and a TypeScript test Jest treats
// as ESM keep their `import`s (and `import.meta`), record, then replay offline.

let provider: FakeProvider
let project: FixtureProject
const OFFLINE = 'http://127.0.0.1:9/v1'

const jest = (env: Record<string, string>) =>
  runInProject(project, process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '-w', '2'], env)

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
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
afterAll(() => provider.stop())

// A cold Jest cache transforms Retrace's built files first: allow for it.
describe('@retrace/jest-preset under native ESM', { timeout: 120_000 }, () => {
  test('records, keeping ES modules as ES modules', async () => {
    const result = await jest({ FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(result.output).not.toContain('require is not defined')
    expect(result.output).toContain('Tests:       2 passed, 2 total')
    expect(result.output).toContain('Retrace cassettes: 2 recorded')
    expect(result.code).toBe(0)
  })

  test('replays offline', async () => {
    const calls = provider.requestCount
    const result = await jest({ FAKE_OPENAI_URL: OFFLINE })
    expect(result.output).toContain('Tests:       2 passed, 2 total')
    expect(result.output).toContain('Retrace cassettes: 0 recorded · 2 replayed · 2 equivalent · 0 diverged')
    expect(result.code).toBe(0)
    expect(provider.requestCount).toBe(calls)
  })
})
