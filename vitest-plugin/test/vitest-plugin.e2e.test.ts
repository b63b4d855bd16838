import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readCassetteFile } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { FIXTURE_AGENT } from '../../test-support/fixture-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// Vitest runs as a child process on a generated project that uses the built @retrace/vitest
// exactly as documented. Steps build on each other, in order.

const FORECASTS = {
  golden: 'The forecast for Paris is sunny with a high of 18 degrees.',
  paraphrase: 'Paris will be sunny today, with a high of 18 degrees.',
  number: 'The forecast for Paris is sunny with a high of 19 degrees.',
  reworded: 'Paris will see sunny skies, topping out at 18 degrees.',
  city: 'The forecast for Lyon is sunny with a high of 18 degrees.',
  opposite: 'The forecast for Paris is rainy with a high of 18 degrees.',
}
let forecast: keyof typeof FORECASTS = 'golden'
let provider: FakeProvider
let project: FixtureProject
// Nothing listens here: a replay that leaked a request would fail with ECONNREFUSED.
const OFFLINE = 'http://127.0.0.1:9/v1'

const testFile = (parisQuestion = 'What is the weather in Paris?', parisName = 'weather in Paris', extra = '') => `import { describe, expect, test } from 'vitest'
import { runAgent } from './agent.js'

test('${parisName}', async () => {
  await expect(() => runAgent('${parisQuestion}')).toMatchCassette()
})

test('weather and time in Rome, in parallel', async () => {
  await expect(runAgent('Please get_weather and get_time for Rome')).toMatchCassette()
})

test('trajectory and budget', async () => {
  await expect(() => runAgent('What is the weather in Oslo?')).toMatchTrajectory(['get_weather'], { mode: 'strict' })
  await expect(() => runAgent('What is the weather in Oslo?')).toStayWithinBudget({ usd: 0.01, steps: 3 })
})

test.concurrent('concurrent Lisbon', async ({ expect }) => {
  await expect(() => runAgent('What is the weather in Lisbon?')).toMatchCassette()
})

test.concurrent('concurrent Madrid', async ({ expect }) => {
  await expect(() => runAgent('What is the weather in Madrid?')).toMatchCassette()
})

describe('forecast', () => {
  test('says the forecast', async () => {
    await expect(() => runAgent('forecast for Paris', { tools: false })).toMatchCassette()
  })
})
${extra}`

const vitest = (args: string[], env: Record<string, string>) =>
  runInProject(project, process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], env)

beforeAll(async () => {
  provider = await startFakeProvider({ respond: (request) => (request.lastUserText.startsWith('forecast') ? { text: FORECASTS[forecast] } : undefined) })
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'fixture', private: true, type: 'module' }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'\nimport { retrace } from '@retrace/vitest'\nexport default defineConfig({ plugins: [retrace()] })\n`,
    'agent.js': FIXTURE_AGENT,
    'weather.test.ts': testFile(),
  })
})
afterAll(() => provider.stop())

describe('@retrace/vitest end to end', () => {
  test('the first run records every cassette, with the run result, beside the test', async () => {
    const result = await vitest([], { FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(result.output).toContain('Tests  6 passed')
    expect(result.code).toBe(0)
    expect(project.cassettes()).toEqual(
      [
        'concurrent Lisbon',
        'concurrent Madrid',
        'forecast - says the forecast',
        'trajectory and budget 2',
        'trajectory and budget',
        'weather and time in Rome, in parallel',
        'weather in Paris',
      ].map((name) => `__cassettes__/weather.test.ts/${name}.cassette.json`),
    )
    expect(result.output).toContain('Retrace cassettes: 7 recorded · 0 replayed · 0 equivalent · 0 diverged · 0 obsolete')
    const parallel = readCassetteFile(`${project.dir}/__cassettes__/weather.test.ts/weather and time in Rome, in parallel.cassette.json`)!
    expect(parallel.interactions[0]!.step!.output.map((part) => (part.type === 'tool_call' ? part.name : part.type))).toEqual(['get_weather', 'get_time'])
    expect(parallel.run?.result).toMatch(/^Based on get_weather, get_time/)
    // Concurrent tests each recorded their own city only.
    expect(project.read('__cassettes__/weather.test.ts/concurrent Lisbon.cassette.json')).not.toContain('Madrid')
    expect(project.read('__cassettes__/weather.test.ts/concurrent Madrid.cassette.json')).not.toContain('Lisbon')
  })

  test.each(['threads', 'forks'])('the next run replays offline in the %s pool', async (pool) => {
    const calls = provider.requestCount
    const result = await vitest([`--pool=${pool}`], { FAKE_OPENAI_URL: OFFLINE })
    expect(result.output).toContain('Tests  6 passed')
    expect(result.code).toBe(0)
    expect(result.output).toContain('Retrace cassettes: 0 recorded · 7 replayed · 7 equivalent · 0 diverged · 0 obsolete')
    expect(provider.requestCount).toBe(calls)
  })

  test('a changed prompt fails, naming the step, the field and how to re-record', async () => {
    const original = project.read('weather.test.ts')
    project.write('weather.test.ts', testFile('What is the weather in Lyon?'))
    const result = await vitest([], { FAKE_OPENAI_URL: OFFLINE })
    project.write('weather.test.ts', original)
    expect(result.code).toBe(1)
    expect(result.output).toContain('The agent now sends a different request at step 1')
    expect(result.output).toContain('$.messages[0].content: What is the weather in [-Paris-]{+Lyon+}?')
    expect(result.output).toContain('npx vitest run weather.test.ts -t "weather in Paris" -u')
    expect(result.output).toContain('1 diverged')
    expect(result.output).not.toMatch(/at .*matchers\/(src|dist)/)
  })

  test('under CI a missing cassette fails with the command to create it, and nothing is recorded', async () => {
    const original = project.read('weather.test.ts')
    const extra = `\ntest('brand new', async () => {\n  await expect(() => runAgent('What is the weather in Nice?')).toMatchCassette()\n})\n`
    project.write('weather.test.ts', testFile(undefined, undefined, extra))
    const calls = provider.requestCount
    const result = await vitest([], { FAKE_OPENAI_URL: provider.openaiBaseURL, CI: 'true' })
    project.write('weather.test.ts', original)
    expect(result.code).toBe(1)
    expect(result.output).toContain('No cassette for this test: __cassettes__/weather.test.ts/brand new.cassette.json')
    expect(result.output).toContain('npx vitest run weather.test.ts -t "brand new"')
    expect(project.exists('__cassettes__/weather.test.ts/brand new.cassette.json')).toBe(false)
    expect(provider.requestCount).toBe(calls)
  })

  test('obsolete cassettes are reported, and -u re-records and removes them', async () => {
    project.write('weather.test.ts', testFile('What is the weather in Lyon?', 'weather in Lyon'))
    const reported = await vitest([], { FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(reported.code).toBe(0)
    expect(reported.output).toContain('1 recorded · 6 replayed · 6 equivalent · 0 diverged · 1 obsolete')
    expect(reported.output).toContain('__cassettes__/weather.test.ts/weather in Paris.cassette.json')
    expect(project.exists('__cassettes__/weather.test.ts/weather in Paris.cassette.json')).toBe(true)

    const before = project.read('__cassettes__/weather.test.ts/weather in Lyon.cassette.json')
    const updated = await vitest(['-u'], { FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(updated.code).toBe(0)
    expect(updated.output).toContain('7 recorded')
    expect(updated.output).toContain('Removed 1 obsolete cassette(s).')
    expect(project.exists('__cassettes__/weather.test.ts/weather in Paris.cassette.json')).toBe(false)
    // An unchanged run re-recorded from scratch is the same file, byte for byte.
    expect(project.read('__cassettes__/weather.test.ts/weather in Lyon.cassette.json')).toBe(before)
  })

  test('a paraphrased live answer passes as equivalent; a changed number diverges', async () => {
    const live = { FAKE_OPENAI_URL: provider.openaiBaseURL, RETRACE_MODE: 'passthrough' }
    forecast = 'paraphrase'
    const paraphrased = await vitest(['-t', 'forecast'], live)
    expect(paraphrased.output).toContain('1 equivalent · 0 diverged')
    expect(paraphrased.code).toBe(0)

    forecast = 'number'
    const changed = await vitest(['-t', 'forecast'], live)
    forecast = 'golden'
    expect(changed.code).toBe(1)
    expect(changed.output).toContain('The live run diverged from the golden cassette')
    expect(changed.output).toMatch(/18.*19/)
    expect(changed.output).toContain('0 equivalent · 1 diverged')
    // Live comparisons never rewrite the golden cassette.
    expect(project.read('__cassettes__/weather.test.ts/forecast - says the forecast.cassette.json')).toContain(FORECASTS.golden)
  })

  test('a reworded live answer passes; another city or the opposite weather diverges, naming the change', async () => {
    const live = { FAKE_OPENAI_URL: provider.openaiBaseURL, RETRACE_MODE: 'passthrough' }
    const run = async (drift: keyof typeof FORECASTS) => {
      forecast = drift
      try {
        return await vitest(['-t', 'forecast'], live)
      } finally {
        forecast = 'golden'
      }
    }
    const reworded = await run('reworded')
    expect(reworded.output).toContain('1 equivalent · 0 diverged')
    expect(reworded.code).toBe(0)
    for (const [drift, reason] of [
      ['city', 'entity: Paris → Lyon'],
      ['opposite', 'opposite: sunny → rainy'],
    ] as const) {
      const changed = await run(drift)
      expect(changed.code).toBe(1)
      expect(changed.output).toContain('The live run diverged from the golden cassette')
      expect(changed.output).toContain(reason)
      expect(changed.output).toContain('0 equivalent · 1 diverged')
    }
    // Three child runs of Vitest.
  }, 120_000)
})
