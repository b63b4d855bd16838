// What golden cassettes add to a test run: the wall time of `vitest run` on 100 tests that
// replay their cassettes with toMatchCassette, against the same 100 tests calling the agent
// with no cassette (live, against a local fake provider, no Retrace installed). Both run as
// child processes, alternately, and the median of several runs is compared.
import { startFakeProvider } from '@retrace/fake-provider'
import { FIXTURE_AGENT } from '../test-support/fixture-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../test-support/fixture-project.ts'
import { median, target, type MeasurementReport } from './harness.ts'

const TESTS = 100
const OFFLINE = 'http://127.0.0.1:9/v1'

const questions = Array.from({ length: TESTS }, (_, i) => `What is the weather in City${i}?`)

function project(withCassettes: boolean): FixtureProject {
  const tests = questions
    .map((question, i) =>
      withCassettes
        ? `test('question ${i}', async () => {\n  await expect(() => runAgent('${question}')).toMatchCassette()\n})`
        : `test('question ${i}', async () => {\n  expect(await runAgent('${question}')).toMatch(/^Based on get_weather/)\n})`,
    )
    .join('\n\n')
  return createFixtureProject({
    'package.json': JSON.stringify({ name: withCassettes ? 'with-cassettes' : 'no-cassettes', private: true, type: 'module' }),
    'vitest.config.ts': withCassettes
      ? `import { defineConfig } from 'vitest/config'\nimport { retrace } from '@retrace/vitest'\nexport default defineConfig({ plugins: [retrace()] })\n`
      : `import { defineConfig } from 'vitest/config'\nexport default defineConfig({})\n`,
    'agent.js': FIXTURE_AGENT,
    'agent.test.ts': `import { expect, test } from 'vitest'\nimport { runAgent } from './agent.js'\n\n${tests}\n`,
  })
}

async function timedRun(fixture: FixtureProject, env: Record<string, string>): Promise<number> {
  const started = performance.now()
  const result = await runInProject(fixture, process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], env)
  const ms = performance.now() - started
  if (result.code !== 0 || !result.output.includes(`${TESTS} passed`)) throw new Error(`vitest run failed in ${fixture.dir}:\n${result.output}`)
  return ms
}

/**
 * Measures the wall-time overhead of replaying 100 cassette tests against the same tests with
 * no cassette. Target: at most 20 %.
 *
 * @example
 * const report = await testOverhead({ quick: false, log: console.error })
 */
export async function testOverhead(options: { quick: boolean; log: (line: string) => void }): Promise<MeasurementReport> {
  const provider = await startFakeProvider()
  try {
    const withCassettes = project(true)
    const without = project(false)
    options.log('  recording 100 cassettes once')
    await timedRun(withCassettes, { FAKE_OPENAI_URL: provider.openaiBaseURL })
    const rounds = options.quick ? 1 : 5
    const replayed: number[] = []
    const live: number[] = []
    for (let round = 0; round < rounds; round++) {
      // Alternate, so a noisy moment on the machine hits both alike.
      replayed.push(await timedRun(withCassettes, { FAKE_OPENAI_URL: OFFLINE }))
      live.push(await timedRun(without, { FAKE_OPENAI_URL: provider.openaiBaseURL }))
      options.log(`  round ${round + 1}: cassettes ${replayed.at(-1)!.toFixed(0)} ms, no cassettes ${live.at(-1)!.toFixed(0)} ms`)
    }
    const a = median(replayed)
    const b = median(live)
    const overhead = (a - b) / b
    const row = (name: string, values: number[]) => ({ name, n: values.length, mean: median(values) * 1000, p50: median(values) * 1000, p99: Math.max(...values) * 1000, rounds: [] })
    return {
      id: 'test-overhead',
      title: `Wall time of \`vitest run\`, ${TESTS} agent tests (µs per run)`,
      unit: 'µs/call',
      notes: ['Cassette tests replay offline; the baseline calls the agent live against a local fake provider with no Retrace installed. Median of the runs.'],
      rows: [row('100 replayed cassette tests', replayed), row('the same 100 tests, no cassette', live)],
      ratios: [{ label: 'cassettes/no cassettes', value: a / b, stat: 'mean' }],
      targets: [target('added wall time (fraction)', overhead, '<=', 0.2, '')],
    }
  } finally {
    await provider.stop()
  }
}
