import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { FIXTURE_AGENT } from '../../test-support/fixture-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// The built `retrace` binary, spawned on a project whose cassettes were recorded by its own
// Vitest tests, once per exit code of `retrace ci replay`.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
const OFFLINE = 'http://127.0.0.1:9/v1'
let provider: FakeProvider
let project: FixtureProject

const weatherTest = (question = 'What is the weather in Paris?', extra = '') => `import { expect, test } from 'vitest'
import { runAgent } from './agent.js'

test('weather in Paris', async () => {
  await expect(() => runAgent('${question}')).toMatchCassette()
})

test('weather in Rome', async () => {
  await expect(() => runAgent('What is the weather in Rome?')).toMatchCassette()
})
${extra}`

const retrace = (args: string[], env: Record<string, string> = {}) => runInProject(project, process.execPath, [retraceBin, ...args], { FAKE_OPENAI_URL: OFFLINE, ...env })
const cassette = (name: string) => join(project.dir, '__cassettes__', 'weather.test.ts', `${name}.cassette.json`)

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'ci-fixture', private: true, type: 'module', devDependencies: { vitest: '*' } }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'\nimport { retrace } from '@retrace/vitest'\nexport default defineConfig({ plugins: [retrace()] })\n`,
    'agent.js': FIXTURE_AGENT,
    'weather.test.ts': weatherTest(),
  })
  const recorded = await runInProject(project, process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], { FAKE_OPENAI_URL: provider.openaiBaseURL })
  expect(recorded.code, recorded.output).toBe(0)
})
afterAll(() => provider.stop())

describe('retrace ci replay', () => {
  test('an unchanged project passes with exit 0, offline, and writes every report', async () => {
    const calls = provider.requestCount
    const summary = join(project.dir, 'step-summary.md')
    writeFileSync(summary, '')
    const result = await retrace(['ci', 'replay', '--report', 'junit', 'reports/retrace.xml', '--report', 'json', 'reports/retrace.json'], { GITHUB_STEP_SUMMARY: summary })
    expect(result.output).toContain('Retrace CI replay: PASS · 2 matched · 0 regression(s)')
    expect(result.code).toBe(0)
    expect(provider.requestCount).toBe(calls)
    expect(project.read('reports/retrace.xml')).toContain('<testsuites name="retrace ci replay" tests="2" failures="0">')
    expect(JSON.parse(project.read('reports/retrace.json'))).toMatchObject({ exitCode: 0, counts: { passed: 2 } })
    expect(readFileSync(summary, 'utf8')).toContain('## Retrace CI replay: pass')
  })

  test('a changed prompt exits 1, and the markdown report names the step', async () => {
    project.write('weather.test.ts', weatherTest('What is the weather in Lyon?'))
    const result = await retrace(['ci', 'replay', '--report', 'markdown', 'reports/retrace.md'])
    project.write('weather.test.ts', weatherTest())
    expect(result.code).toBe(1)
    const report = project.read('reports/retrace.md')
    expect(report).toContain('## Retrace CI replay: fail (exit 1)')
    expect(report).toMatch(/\| ❌ \| request-changed \| weather\.test\.ts › weather in Paris \| 1 \|/)
    expect(report).toContain('request-changed at step 1: weather in Paris')
    expect(report).toContain('$.messages[0].content: What is the weather in [-Paris-]{+Lyon+}?')
  })

  test('a deleted cassette exits 2', async () => {
    const saved = readFileSync(cassette('weather in Rome'), 'utf8')
    rmSync(cassette('weather in Rome'))
    const result = await retrace(['ci', 'replay'])
    writeFileSync(cassette('weather in Rome'), saved)
    expect(result.code).toBe(2)
    expect(result.output).toContain('missing: weather.test.ts › weather in Rome')
  })

  test('a request to a host no cassette answers exits 3', async () => {
    const extra = `\ntest('calls home', async () => {\n  await fetch('https://telemetry.example.com/ping')\n})\n`
    project.write('weather.test.ts', weatherTest(undefined, extra))
    const result = await retrace(['ci', 'replay'])
    project.write('weather.test.ts', weatherTest())
    expect(result.code).toBe(3)
    expect(result.output).toContain('GET https://telemetry.example.com/ping')
  })

  test('a planted API key exits 4 before any test runs', async () => {
    const saved = readFileSync(cassette('weather in Paris'), 'utf8')
    writeFileSync(cassette('weather in Paris'), saved.replace('"[REDACTED]"', `"Bearer ${'sk-' + 'proj-' + 'L3ak'.repeat(10)}"`))
    const result = await retrace(['ci', 'replay'])
    writeFileSync(cassette('weather in Paris'), saved)
    expect(result.code).toBe(4)
    expect(result.output).toMatch(/secret.*weather in Paris\.cassette\.json/s)
    expect(result.output).not.toContain('L3akL3ak')
  })

  test('a bad flag exits 5 with a helpful message', async () => {
    const result = await retrace(['ci', 'replay', '--repot', 'junit', 'x.xml'])
    expect(result.code).toBe(5)
    expect(result.output).toContain("unknown option '--repot'")
    expect(result.output).toContain('Did you mean --report?')
    const noRunner = await runInProject(project, process.execPath, [retraceBin, 'ci', 'replay', '--cwd', 'reports'])
    expect(noRunner.code).toBe(5)
    expect(noRunner.output).toContain('pass the test command after --')
  })
})
