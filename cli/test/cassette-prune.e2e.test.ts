import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseCassette } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { FIXTURE_AGENT } from '../../test-support/fixture-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// `retrace cassette prune` on a project whose cassettes its own Vitest tests recorded: a
// test removed, a test failing, a warm-up request the agent no longer makes. The last run
// is what the Vitest reporter keeps in node_modules/.cache/retrace/last-run.json.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
const repoNodeModules = join(import.meta.dirname, '..', '..', 'node_modules')
const OFFLINE = 'http://127.0.0.1:9/v1'
let provider: FakeProvider
let project: FixtureProject

const weatherTest = (options: { rome?: string; oslo?: boolean } = {}) => `import { expect, test } from 'vitest'
import { runAgent } from './agent.js'

// A warm-up request, made only while recording: replay never asks for it again.
const warmUp = async () => {
  if (process.env.PING_URL) await (await fetch(process.env.PING_URL)).text()
}

test('weather in Paris', async () => {
  await expect(async () => {
    await warmUp()
    return runAgent('What is the weather in Paris?')
  }).toMatchCassette()
})

test('weather in Rome', async () => {
  await expect(async () => {
    await warmUp()
    return runAgent('${options.rome ?? 'What is the weather in Rome?'}')
  }).toMatchCassette()
})
${
  options.oslo === false
    ? ''
    : `
test('weather in Oslo', async () => {
  await expect(() => runAgent('What is the weather in Oslo?')).toMatchCassette()
})
`
}`

const vitest = (env: Record<string, string>) => runInProject(project, process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], env)
const retrace = (...args: string[]) => runInProject(project, process.execPath, [retraceBin, ...args])
const cassette = (name: string) => `__cassettes__/weather.test.ts/weather in ${name}.cassette.json`
const interactionsOf = (name: string) => parseCassette(project.read(cassette(name)), name).interactions.map((interaction) => `${interaction.request.method} ${new URL(interaction.request.url).pathname}`)

/**
 * The fixture links the repository's node_modules, which other tests' runs write to: give
 * this project a node_modules of its own (links to each package) so its last-run record is its own.
 */
function ownNodeModules(dir: string): void {
  const folder = join(dir, 'node_modules')
  rmSync(folder)
  mkdirSync(folder)
  for (const name of readdirSync(repoNodeModules)) if (!name.startsWith('.')) symlinkSync(join(repoNodeModules, name), join(folder, name), 'dir')
}

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'prune-fixture', private: true, type: 'module', devDependencies: { vitest: '*' } }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'\nimport { retrace } from '@retrace/vitest'\nexport default defineConfig({ plugins: [retrace()] })\n`,
    'agent.js': FIXTURE_AGENT,
    'weather.test.ts': weatherTest(),
  })
  ownNodeModules(project.dir)
  const recorded = await vitest({ FAKE_OPENAI_URL: provider.openaiBaseURL, PING_URL: `${provider.openaiBaseURL}/ping` })
  expect(recorded.code, recorded.output).toBe(0)
  expect(interactionsOf('Paris')[0]).toBe('GET /v1/ping')
}, 120_000)
afterAll(() => provider.stop())

describe('retrace cassette prune', () => {
  test('without a last run it says to run the tests first (exit 5)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'retrace-no-run-'))
    const result = await retrace('cassette', 'prune', '--cwd', empty)
    rmSync(empty, { recursive: true, force: true })
    expect(result.code).toBe(5)
    expect(result.output).toContain('No record of a test run')
    expect(result.output).toContain('Run your tests first')
  })

  test('after a run: deletes cassettes no test uses, drops unused interactions, leaves failed ones alone', async () => {
    // Oslo's test is removed; Rome's now asks something else and fails; Paris replays
    // without its warm-up request.
    project.write('weather.test.ts', weatherTest({ oslo: false, rome: 'What is the weather in Lyon?' }))
    const run = await vitest({ FAKE_OPENAI_URL: OFFLINE })
    expect(run.code, run.output).toBe(1)
    const lastRun = JSON.parse(project.read('node_modules/.cache/retrace/last-run.json')) as { finishedAt: string; runner: string; entries: Array<{ testName: string; outcome: string; used?: number[]; message?: string }>; testFiles: unknown[] }
    expect(lastRun.runner).toBe('vitest')
    expect(lastRun.testFiles).toEqual([{ path: join(project.dir, 'weather.test.ts'), complete: true }])
    expect(lastRun.entries.map(({ testName, outcome, used }) => ({ testName, outcome, used }))).toEqual(
      expect.arrayContaining([
        { testName: 'weather in Paris', outcome: 'identical', used: [1, 2] },
        { testName: 'weather in Rome', outcome: 'request-changed', used: undefined },
      ]),
    )
    // Kept small: failure messages are not stored.
    expect(lastRun.entries.every((entry) => entry.message === undefined)).toBe(true)

    const before = { paris: project.read(cassette('Paris')), rome: project.read(cassette('Rome')) }
    const dryRun = await retrace('cassette', 'prune', '--dry-run')
    expect(dryRun.code, dryRun.output).toBe(0)
    expect(dryRun.output).toContain(`Would delete 1 cassette(s) no test uses:\n  - ${cassette('Oslo')}`)
    expect(dryRun.output).toContain(`Would drop 1 interaction(s) no test consumed, from 1 cassette(s):\n  ~ ${cassette('Paris')}: #1 (3 → 2 interactions)`)
    expect(dryRun.output).toContain(`${cassette('Rome')}: request-changed in the last run`)
    expect(dryRun.output).toContain('Dry run: nothing was changed.')
    expect(project.exists(cassette('Oslo'))).toBe(true)
    expect(project.read(cassette('Paris'))).toBe(before.paris)

    const json = await retrace('cassette', 'prune', '--dry-run', '--json')
    const plan = JSON.parse(json.output) as { dryRun: boolean; deletions: string[]; rewrites: Array<{ file: string; drop: number[] }>; skipped: Array<{ file: string }> }
    expect(plan).toMatchObject({ dryRun: true, deletions: [join(project.dir, cassette('Oslo'))], rewrites: [{ file: join(project.dir, cassette('Paris')), drop: [0] }] })
    expect(plan.skipped.map((skip) => skip.file)).toEqual([join(project.dir, cassette('Rome'))])

    const pruned = await retrace('cassette', 'prune')
    expect(pruned.code, pruned.output).toBe(0)
    expect(pruned.output).toContain('Deleted 1 cassette(s) no test uses')
    expect(project.exists(cassette('Oslo'))).toBe(false)
    expect(interactionsOf('Paris')).toEqual(['POST /v1/chat/completions', 'POST /v1/chat/completions'])
    expect(project.read(cassette('Rome'))).toBe(before.rome)
    expect(readFileSync(join(project.dir, cassette('Paris')), 'utf8')).not.toContain('/ping')

    // The pruned cassettes still replay, offline.
    project.write('weather.test.ts', weatherTest({ oslo: false }))
    const replay = await vitest({ FAKE_OPENAI_URL: OFFLINE })
    expect(replay.code, replay.output).toBe(0)
    expect(replay.output).toContain('Tests  2 passed')
  }, 120_000)

  test('the next prune reads the newest run: Rome, passing again, loses its warm-up request; then nothing is left', async () => {
    const result = await retrace('cassette', 'prune')
    expect(result.code).toBe(0)
    // Rome's warm-up request was never consumed by the passing replay either.
    expect(result.output).toContain(`Dropped 1 interaction(s) no test consumed, from 1 cassette(s):\n  ~ ${cassette('Rome')}: #1 (3 → 2 interactions)`)
    const again = await retrace('cassette', 'prune')
    expect(again.output).toContain('Nothing to prune')
  })
})
