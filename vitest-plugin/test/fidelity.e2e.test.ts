import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readCassetteFile } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// Agent stacks the core tests do not drive, in a generated project using the built
// @retrace/vitest as documented: the OpenAI Agents SDK (Responses API), the AI SDK with
// @ai-sdk/google, and the Anthropic SDK, all against the fake provider. Steps build on each
// other, in order.

let provider: FakeProvider
let project: FixtureProject
// Nothing listens here: a replay that leaked a request would fail with ECONNREFUSED.
const OFFLINE = 'http://127.0.0.1:9'

const AGENTS = `import OpenAI from 'openai'
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool } from '@openai/agents'
import { z } from 'zod'

setTracingDisabled(true)
const getWeather = tool({
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => \`\${city}: sunny, 18°C\`,
})

// Returns the SDK's RunResult as is: it quotes response ids, call ids, the request id header
// and creation times.
export function runWeatherAgent(question) {
  setDefaultOpenAIClient(new OpenAI({ apiKey: 'sk-fixture', baseURL: \`\${process.env.FAKE_URL}/v1\`, maxRetries: 0 }))
  const agent = new Agent({ name: 'weather', instructions: 'Answer with get_weather.', model: 'gpt-4o-mini', tools: [getWeather] })
  return run(agent, question)
}
`

const GEMINI = `import { createGoogleGenerativeAI } from '@ai-sdk/google'
import { generateText, isStepCount, tool } from 'ai'
import { z } from 'zod'

const getWeather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, sky: process.env.SKY ?? 'sunny' }),
})

// Default options: the provider makes up an id for every function call and its response.
export async function runGeminiAgent(question) {
  const google = createGoogleGenerativeAI({ baseURL: \`\${process.env.FAKE_URL}/v1beta\`, apiKey: 'gemini-fixture-key' })
  const { text } = await generateText({ model: google('gemini-2.5-flash'), prompt: question, tools: { get_weather: getWeather }, stopWhen: isStepCount(3), maxRetries: 0 })
  return text
}
`

const ANTHROPIC = `import Anthropic from '@anthropic-ai/sdk'

export async function askClaude(question) {
  const client = new Anthropic({ apiKey: 'sk-ant-fixture', baseURL: process.env.FAKE_URL, maxRetries: 0 })
  const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 200, messages: [{ role: 'user', content: question }] })
  return message.content[0].text
}
`

const vitest = (args: string[], env: Record<string, string> = {}) =>
  runInProject(project, process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], { FAKE_URL: provider.url, ...env })

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'fidelity-fixture', private: true, type: 'module' }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'\nimport { retrace } from '@retrace/vitest'\nexport default defineConfig({ plugins: [retrace()] })\n`,
    'agents.js': AGENTS,
    'gemini.js': GEMINI,
    'anthropic.js': ANTHROPIC,
    'agents.test.ts': `import { expect, test } from 'vitest'\nimport { runWeatherAgent } from './agents.js'\n\ntest('openai agents', async () => {\n  await expect(() => runWeatherAgent('What is the weather in Paris?')).toMatchCassette()\n})\n`,
    'gemini.test.ts': `import { expect, test } from 'vitest'\nimport { runGeminiAgent } from './gemini.js'\n\ntest('gemini tool loop', async () => {\n  await expect(() => runGeminiAgent('What is the weather in Paris?')).toMatchCassette()\n})\n`,
    'anthropic.test.ts': `import { expect, test } from 'vitest'\nimport { askClaude } from './anthropic.js'\n\ntest('claude answers', async () => {\n  await expect(() => askClaude('Name a sea')).toMatchCassette()\n})\n`,
  })
})
afterAll(() => provider.stop())

// Each step spawns Vitest several times.
describe('fidelity with more agent stacks', { timeout: 120_000 }, () => {
  test('@openai/agents: vitest -u re-records consistently, so every next run replays as equivalent', async () => {
    const recorded = await vitest(['agents.test.ts'])
    expect(recorded.output).toContain('1 recorded')
    expect(recorded.code).toBe(0)
    for (let round = 1; round <= 2; round++) {
      const updated = await vitest(['agents.test.ts', '-u'])
      expect(updated.code).toBe(0)
      const replayed = await vitest(['agents.test.ts'], { FAKE_URL: OFFLINE })
      expect(replayed.output, `round ${round}`).toContain('0 recorded · 1 replayed · 1 equivalent · 0 diverged')
      expect(replayed.code).toBe(0)
    }
    // Every provider id the golden result quotes is one of the interactions stored with it.
    const cassette = readCassetteFile(`${project.dir}/__cassettes__/agents.test.ts/openai agents.cassette.json`)!
    const idsIn = (value: unknown) => [...new Set(JSON.stringify(value).match(/\b(?:resp|fc|msg|req|call)_[0-9A-Za-z]{20,}/g))]
    expect(idsIn(cassette.run!.result).length).toBeGreaterThan(3)
    expect(idsIn(cassette.interactions)).toEqual(expect.arrayContaining(idsIn(cassette.run!.result)))
  })

  test('@ai-sdk/google with default options replays offline; a changed tool result is blamed on step 2', async () => {
    const recorded = await vitest(['gemini.test.ts'])
    expect(recorded.code).toBe(0)
    const replayed = await vitest(['gemini.test.ts'], { FAKE_URL: OFFLINE })
    expect(replayed.output).toContain('1 replayed · 1 equivalent')
    expect(replayed.code).toBe(0)

    const changed = await vitest(['gemini.test.ts'], { FAKE_URL: OFFLINE, SKY: 'rainy' })
    expect(changed.code).toBe(1)
    expect(changed.output).toContain('The agent now sends a different request at step 2')
    expect(changed.output).toContain('Closest recorded request: interaction #2 (step 2)')
    expect(changed.output).toContain('functionResponse.response.content.sky: [-sunny-]{+rainy+}')
  })

  test('re-recording an unchanged run rewrites nothing, whatever headers the provider varies per call', async () => {
    const file = '__cassettes__/anthropic.test.ts/claude answers.cassette.json'
    expect((await vitest(['anthropic.test.ts'])).code).toBe(0)
    const before = project.read(file)
    expect(Object.keys(readCassetteFile(`${project.dir}/${file}`)!.interactions[0]!.response!.headers)).toEqual(
      expect.arrayContaining(['anthropic-organization-id', 'anthropic-ratelimit-requests-remaining', 'cf-ray', 'request-id']),
    )
    for (let round = 1; round <= 2; round++) {
      expect((await vitest(['anthropic.test.ts', '-u'])).code).toBe(0)
      expect(project.read(file), `round ${round}`).toBe(before)
    }
  })

  test('the imported expect inside test.concurrent is refused, and nothing is recorded', async () => {
    project.write(
      'concurrent.test.ts',
      `import { expect, test } from 'vitest'
import { askClaude } from './anthropic.js'

test.concurrent('slow question', async () => {
  await new Promise((resolve) => setTimeout(resolve, 50))
  await expect(() => askClaude('Name a river')).toMatchCassette()
})

test.concurrent('quick question', async () => {
  await expect(() => askClaude('Name a lake')).toMatchCassette()
})
`,
    )
    const result = await vitest(['concurrent.test.ts'])
    expect(result.code).toBe(1)
    expect(result.output).toContain('2 failed')
    expect(result.output).toContain("TestContextError: 'toMatchCassette' cannot be used without test context")
    expect(result.output).toContain("Use the test context's expect: test.concurrent('name', async ({ expect }) =>")
    expect(project.cassettes().filter((file) => file.includes('concurrent.test.ts'))).toEqual([])
  })
})
