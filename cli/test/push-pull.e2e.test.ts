import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { createLogger, startServer, type RetraceServer } from '@retrace/server'
import { FIXTURE_AGENT } from '../../test-support/fixture-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// The built `retrace` binary pushing a project's recorded cassettes to a real server, and
// pulling one back as a cassette that replays offline under `retrace ci replay`.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
const OFFLINE = 'http://127.0.0.1:9/v1'
let provider: FakeProvider
let project: FixtureProject
let server: RetraceServer
let key: string

const retrace = (args: string[], env: Record<string, string> = {}) =>
  runInProject(project, process.execPath, [retraceBin, ...args], { FAKE_OPENAI_URL: OFFLINE, RETRACE_BASE_URL: server.url, RETRACE_API_KEY: key, ...env })
const paris = '__cassettes__/weather.test.ts/weather in Paris.cassette.json'
const api = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { 'x-retrace-key': key } })).json() as Promise<any>

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'push-fixture', private: true, type: 'module', devDependencies: { vitest: '*' } }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'\nimport { retrace } from '@retrace/vitest'\nexport default defineConfig({ plugins: [retrace()] })\n`,
    'agent.js': FIXTURE_AGENT,
    'weather.test.ts': `import { expect, test } from 'vitest'\nimport { runAgent } from './agent.js'\n\ntest('weather in Paris', async () => {\n  await expect(() => runAgent('What is the weather in Paris?')).toMatchCassette()\n})\n\ntest('weather in Rome', async () => {\n  await expect(() => runAgent('What is the weather in Rome?')).toMatchCassette()\n})\n`,
  })
  const recorded = await runInProject(project, process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], { FAKE_OPENAI_URL: provider.openaiBaseURL })
  expect(recorded.code, recorded.output).toBe(0)
  server = await startServer({ port: 0, databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-push-')), 'retrace.db')}`, logger: createLogger({ level: 'silent' }) })
  key = server.firstStart!.apiKey
})
afterAll(async () => {
  await provider.stop()
  await server?.close()
})

describe('retrace push and pull', () => {
  test('push uploads every cassette under __cassettes__, one line each with its trace URL; pushing again changes nothing', async () => {
    const first = await retrace(['push'])
    expect(first.code, first.output).toBe(0)
    const lines = first.output.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(new RegExp(`^✓ pushed +__cassettes__/weather.test.ts/weather in Paris.cassette.json → ${server.url}/api/v1/traces/cs_[0-9a-f]{32}$`))
    const again = await retrace(['push'])
    expect(again.code).toBe(0)
    expect(again.output).toMatch(/^= unchanged __cassettes__\/weather.test.ts\/weather in Paris/m)
    expect((await api('/api/v1/traces')).traces).toHaveLength(2)
  })

  test('the trace holds the LLM steps (with their messages), totals and the recording test', async () => {
    const traceId = /traces\/(cs_[0-9a-f]+)/.exec((await retrace(['push', paris])).output)![1]!
    const { trace, spans } = await api(`/api/v1/traces/${traceId}`)
    expect(trace).toMatchObject({ source: 'cassette', status: 'completed', name: 'weather.test.ts › weather in Paris', git: { testFile: 'weather.test.ts', testName: 'weather in Paris' } })
    expect(trace.totals.llmCalls).toBe(2)
    expect(trace.totals.inputTokens).toBeGreaterThan(0)
    expect(spans[0].step.input[0]).toMatchObject({ role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] })
    expect(spans[0].step.tools.map((tool: { name: string }) => tool.name)).toEqual(['get_weather', 'get_time'])
  })

  test('pull writes the trace back as a cassette that replays offline under toMatchCassette()', async () => {
    const original = project.read(paris)
    const traceId = /traces\/(cs_[0-9a-f]+)/.exec((await retrace(['push', paris])).output)![1]!
    rmSync(join(project.dir, paris))
    const pulled = await retrace(['pull', traceId, '--out', paris])
    expect(pulled.code, pulled.output).toBe(0)
    expect(project.read(paris)).toBe(original)
    const printed = await retrace(['pull', traceId])
    expect(printed.output).toBe(original)
    const calls = provider.requestCount
    const replay = await retrace(['ci', 'replay'])
    expect(replay.output).toContain('Retrace CI replay: PASS · 2 matched')
    expect(replay.code).toBe(0)
    expect(provider.requestCount).toBe(calls)
  })

  test('a cassette holding a secret is not uploaded (exit 4, its JSON path named)', async () => {
    const leaky = JSON.parse(project.read(paris)) as { interactions: Array<{ request: { headers: Record<string, string> } }> }
    leaky.interactions[0]!.request.headers['x-api-key'] = 'sk-' + 'proj-' + 'L3ak'.repeat(10)
    project.write('leaky/__cassettes__/leak.cassette.json', JSON.stringify(leaky))
    const before = (await api('/api/v1/traces')).traces.length
    const result = await retrace(['push', 'leaky'])
    expect(result.code).toBe(4)
    expect(result.output).toContain("$.interactions[0].request.headers['x-api-key'] (openai-key)")
    expect((await api('/api/v1/traces')).traces.length).toBe(before)
  })

  test('exit codes: 2 for an unknown trace or an invalid cassette, 5 without a key, 6 when the server is unreachable or refuses the key', async () => {
    expect((await retrace(['pull', 'cs_nope'])).code).toBe(2)
    project.write('broken/__cassettes__/bad.cassette.json', '{ "version": 1, "interactions": "none" }')
    expect((await retrace(['push', 'broken'])).code).toBe(2)
    const noKey = await retrace(['push'], { RETRACE_API_KEY: '' })
    expect(noKey.code).toBe(5)
    expect(noKey.output).toContain('RETRACE_API_KEY')
    const down = await retrace(['push'], { RETRACE_BASE_URL: 'http://127.0.0.1:9' })
    expect(down.code).toBe(6)
    expect(down.output).toContain('cannot reach the Retrace server at http://127.0.0.1:9')
    expect((await retrace(['pull', 'cs_nope'], { RETRACE_API_KEY: 'rt_live_wrong' })).code).toBe(6)
  })

  test('retrace server is the same command as retrace-server', async () => {
    const help = await retrace(['server', '--help'])
    expect(help.code).toBe(0)
    expect(help.output).toContain('Usage: retrace server [options]')
    expect(help.output).toContain('--database-url <url>')
    const bad = await retrace(['server', '--port', 'x'])
    expect(bad.code).toBe(2)
    expect(bad.output.trim()).toMatch(/^retrace server: Invalid --port: "x" is not a number\. Fix: /)
  })
})
