import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { createLogger, startServer, type RetraceServer } from '@retrace/server'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// The Fork & Replay commands as a user runs them (the built `retrace` binary), following the
// guide in cli/README.md: an agent tested with toMatchCassette(), its cassette pushed, a
// `retrace worker` running the agent, then forks, a sweep, a diff, an estimate, a commit, and
// the committed fork pulled back as a cassette that replays green under Vitest.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
const AGENT = `import OpenAI from 'openai'
import { record } from '@retrace/core'

const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }]

// Forkable: record() with resumable: true registers it with the Retrace server when a worker
// (or this process) is connected; in tests it changes nothing.
export const runAgent = record({ name: 'weather-agent', resumable: true }, async (question) => {
  const openai = new OpenAI({ apiKey: 'sk-fixture', baseURL: process.env.FAKE_OPENAI_URL, maxRetries: 0 })
  const messages = [{ role: 'user', content: question }]
  for (let turn = 0; turn < 3; turn++) {
    const message = (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })).choices[0].message
    messages.push(message)
    if (!message.tool_calls?.length) return message.content
    for (const call of message.tool_calls) {
      const { city } = JSON.parse(call.function.arguments)
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ city, sky: 'sunny' }) })
    }
  }
})
`
const test_ = (city: string) => `import { expect, test } from 'vitest'\nimport { runAgent } from './agent.js'\n\ntest('weather in ${city}', async () => {\n  await expect(() => runAgent('What is the weather in ${city}?')).toMatchCassette()\n})\n`

let provider: FakeProvider
let project: FixtureProject
let server: RetraceServer
let key: string
let worker: ChildProcess | undefined
let workerOutput = ''

const env = (extra: Record<string, string> = {}) => ({ FAKE_OPENAI_URL: provider.openaiBaseURL, RETRACE_BASE_URL: server.url, RETRACE_API_KEY: key, RETRACE_JOURNAL_DIR: mkdtempSync(join(tmpdir(), 'retrace-cli-journal-')), ...extra })
const retrace = (args: string[], extra: Record<string, string> = {}) => runInProject(project, process.execPath, [retraceBin, ...args], env(extra))
const json = async (args: string[]) => {
  const result = await retrace([...args, '--json'])
  expect(result.code, result.output).toBe(0)
  return JSON.parse(result.output.slice(result.output.indexOf('{'), result.output.lastIndexOf('}') + 1)) as any
}
const api = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { 'x-retrace-key': key } })).json() as Promise<any>

beforeAll(async () => {
  provider = await startFakeProvider()
  project = createFixtureProject({
    'package.json': JSON.stringify({ name: 'forks-fixture', private: true, type: 'module', devDependencies: { vitest: '*' } }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'\nimport { retrace } from '@retrace/vitest'\nexport default defineConfig({ plugins: [retrace()] })\n`,
    'agent.js': AGENT,
    'weather.test.ts': test_('Paris'),
  })
  server = await startServer({ port: 0, databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-forks-cli-')), 'retrace.db')}`, logger: createLogger({ level: 'silent' }), forkWorkerTimeoutMs: 1_500 })
  key = server.firstStart!.apiKey
})
afterAll(async () => {
  worker?.kill('SIGTERM')
  await server?.close()
  await provider?.stop()
})

describe('retrace forks: from a pushed cassette to a sweep, a commit and a green test', () => {
  let traceId: string
  let firstSpan: string
  let secondSpan: string

  test('a test cassette, pushed; without a worker a fork ends no_worker: exit 8 and how to start one', async () => {
    const recorded = await runInProject(project, process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], { FAKE_OPENAI_URL: provider.openaiBaseURL })
    expect(recorded.code, recorded.output).toBe(0)
    const pushed = await retrace(['push'])
    expect(pushed.code, pushed.output).toBe(0)
    traceId = /traces\/(cs_[0-9a-f]+)/.exec(pushed.output)![1]!
    const { spans } = await api(`/api/v1/traces/${traceId}`)
    firstSpan = spans[0].id
    secondSpan = spans[1].id

    const created = await retrace(['forks', 'create', '--trace', traceId, '--span', secondSpan, '--input', 'What is the weather in Oslo?', '--function', 'weather-agent'])
    expect(created.code, created.output).toBe(0)
    const forkId = /fork (fk_\S+)/.exec(created.output)![1]!
    expect(created.output).toContain(`retrace forks replay ${forkId} --wait`)
    const replay = await retrace(['forks', 'replay', forkId, '--wait'])
    expect(replay.code, replay.output).toBe(8)
    expect(replay.output).toContain('no_worker')
    expect(replay.output).toContain('retrace worker')
  })

  test('with `retrace worker agent.js` running: create, replay --wait, diff --json, estimate, a sweep with a progress bar', async () => {
    worker = spawn(process.execPath, [retraceBin, 'worker', 'agent.js'], { cwd: project.dir, env: { ...process.env, NODE_OPTIONS: '', ...env() }, stdio: ['ignore', 'pipe', 'pipe'] })
    worker.stderr!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()))
    for (let i = 0; i < 200 && !(await api('/api/v1/connections')).connections.some((c: { resumable: string[] }) => c.resumable.includes('weather-agent')); i++) await new Promise((resolve) => setTimeout(resolve, 50))

    const fork = await json(['forks', 'create', '--trace', traceId, '--span', secondSpan, '--input', 'What is the weather in Oslo?', '--function', 'weather-agent'])
    const estimate = await json(['forks', 'estimate', fork.id])
    expect(estimate).toMatchObject({ fork_id: fork.id, fork_point_step: 2, steps: [{ treatment: 'recording' }, expect.anything()] })
    const calls = provider.requestCount
    const replay = await retrace(['forks', 'replay', fork.id, '--wait'])
    expect(replay.code, `${replay.output}\n${workerOutput}`).toBe(0)
    expect(replay.output).toContain('completed')
    // Step 1 came from the pushed cassette: one live call, the fork point.
    expect(provider.requestCount - calls).toBe(1)
    // This agent reads the question only at step 1, which came from the recording: same answer.
    const diff = await json(['forks', 'diff', fork.id])
    expect(diff).toMatchObject({ fork_id: fork.id, trace_id: traceId, divergence: { verdict: 'identical', score: 0 } })
    // From step 1, the new question reaches the model: the weather of another city.
    const early = await json(['forks', 'create', '--trace', traceId, '--span', firstSpan, '--input', 'What is the weather in Oslo?', '--function', 'weather-agent', '--wait'])
    expect(early.status).toBe('completed')
    const human = await retrace(['forks', 'diff', early.id])
    expect(human.output).toMatch(/divergence 0\.\d{3} · diverged · first divergent step 1/)
    expect(human.output).toContain('Oslo')

    const sweep = await retrace(['forks', 'sweep', '--trace', traceId, '--span', firstSpan, '--function', 'weather-agent', '--variant', 'rome=What is the weather in Rome?', '--variant', 'lima=What is the weather in Lima?', '--variant', 'bern=What is the weather in Bern?', '--concurrency', '2', '--wait'])
    expect(sweep.code, sweep.output).toBe(0)
    expect(sweep.output).toMatch(/\[█+\] 3\/3 done/)
    expect(sweep.output).toMatch(/rome +completed/)
  })

  test('commit, pull the trace: the fork’s cassette replays green under Vitest, offline', async () => {
    const fork = await json(['forks', 'create', '--trace', traceId, '--span', firstSpan, '--input', 'What is the weather in Quito?', '--function', 'weather-agent', '--wait'])
    expect(fork.status).toBe('completed')
    const committed = await retrace(['forks', 'commit', fork.id])
    expect(committed.code, committed.output).toBe(0)
    expect(committed.output).toContain(`baseline is now ${fork.fork_trace_id}`)
    const file = '__cassettes__/weather.test.ts/weather in Quito.cassette.json'
    const pulled = await retrace(['pull', traceId, '--out', file])
    expect(pulled.code, pulled.output).toBe(0)
    project.write('weather.test.ts', `${test_('Paris')}\n${test_('Quito').split('\n').slice(2).join('\n')}`)
    const calls = provider.requestCount
    const replay = await runInProject(project, process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], { FAKE_OPENAI_URL: provider.openaiBaseURL, CI: 'true' })
    expect(replay.code, replay.output).toBe(0)
    expect(replay.output).toMatch(/2 passed/)
    expect(provider.requestCount).toBe(calls)
  })

  test('sensitivity: the report with the step the outcome hinges on', async () => {
    const result = await retrace(['forks', 'sensitivity', '--trace', traceId, '--span', firstSpan, '--function', 'weather-agent', '--k', '3', '--seed', '4', '--input', 'What is the weather in Paris?'])
    expect(result.code, result.output).toBe(0)
    expect(result.output).toMatch(/sensitivity score \(PSS\) \d\.\d{3} · flip rate \d+ %/)
    expect((await retrace(['forks', 'diff', 'fk_nope'])).code).toBe(2)
    expect((await retrace(['forks', 'create', '--trace', traceId, '--span', secondSpan])).code).toBe(5)
  })
})
