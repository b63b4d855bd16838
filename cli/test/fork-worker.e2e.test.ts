import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { createLogger, startServer, type RetraceServer } from '@retrace/server'
import { RECORD_ONCE, twoCallAgent } from '../../test-support/fork-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// `retrace worker` as a user runs it: a separate process importing the user's module, taking
// forks from a real server, stopping gracefully on SIGTERM.

const cliEntry = join(import.meta.dirname, '..', 'src', 'bin', 'retrace.ts')
let provider: FakeProvider
let project: FixtureProject
let server: RetraceServer
let key: string
let traceId: string
let secondSpan: string
const env = () => ({ FAKE_OPENAI_URL: provider.openaiBaseURL, RETRACE_BASE_URL: server.url, RETRACE_API_KEY: key, RETRACE_JOURNAL_DIR: mkdtempSync(join(tmpdir(), 'retrace-worker-journal-')) })
const api = async (path: string, init: { method?: string; json?: unknown } = {}) => {
  const response = await fetch(`${server.url}${path}`, { method: init.method ?? (init.json ? 'POST' : 'GET'), headers: { 'x-retrace-key': key, 'content-type': 'application/json' }, ...(init.json ? { body: JSON.stringify(init.json) } : {}) })
  return { status: response.status, body: (await response.json()) as any }
}
const waitFor = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

function startWorkerProcess(args: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@retrace/source', cliEntry, 'worker', 'agent.ts', ...args], { cwd: project.dir, env: { ...process.env, NODE_OPTIONS: '', ...env() }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) }
}

beforeAll(async () => {
  // Calls about "slow" take a while: a fork still running when the worker is told to stop.
  provider = await startFakeProvider({ respond: async (request) => (JSON.stringify(request.body).includes('slow') ? (await new Promise((resolve) => setTimeout(resolve, 600)), undefined) : undefined) })
  project = createFixtureProject({ 'package.json': JSON.stringify({ name: 'worker-fixture', private: true, type: 'module' }), 'agent.ts': twoCallAgent('cli-agent'), 'record-once.ts': RECORD_ONCE })
  server = await startServer({ port: 0, databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-worker-')), 'retrace.db')}`, logger: createLogger({ level: 'silent' }), forkWorkerTimeoutMs: 1_500 })
  key = server.firstStart!.apiKey
  const recorded = await runInProject(project, process.execPath, ['--conditions=@retrace/source', 'record-once.ts'], env())
  expect(recorded.code, recorded.output).toBe(0)
  traceId = recorded.output.trim().split('\n').at(-1)!
  const { body } = await api(`/api/v1/traces/${traceId}`)
  secondSpan = body.spans.filter((span: { kind: string }) => span.kind === 'llm')[1].id
})
afterAll(async () => {
  await server?.close()
  await provider?.stop()
})

describe('retrace worker', () => {
  test('runs the forks the server sends (the prefix from the recording), and stops gracefully: a running fork finishes first', async () => {
    const worker = startWorkerProcess(['--concurrency', '2'])
    await waitFor(async () => ((await api('/api/v1/connections')).body.connections.some((c: { resumable: string[] }) => c.resumable.includes('cli-agent')) ? true : undefined))
    const calls = provider.requestCount
    const fork = (await api('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: secondSpan, modified_input: 'Hello Oslo' } })).body
    await api(`/api/v1/forks/${fork.id}/replay`, { method: 'POST' })
    const done = await waitFor(async () => {
      const body = (await api(`/api/v1/forks/${fork.id}`)).body
      return ['completed', 'failed', 'no_worker'].includes(body.status) ? body : undefined
    })
    expect(done.status, worker.output()).toBe('completed')
    expect(provider.requestCount - calls).toBe(1)

    const slow = (await api('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: secondSpan, modified_input: 'Hello slow Rome' } })).body
    await api(`/api/v1/forks/${slow.id}/replay`, { method: 'POST' })
    await waitFor(async () => ((await api(`/api/v1/forks/${slow.id}`)).body.status === 'running' ? true : undefined))
    worker.child.kill('SIGTERM')
    expect(await worker.exited, worker.output()).toBe(0)
    expect((await api(`/api/v1/forks/${slow.id}`)).body).toMatchObject({ status: 'completed' })
    expect(worker.output()).toContain('offering cli-agent')

    // The worker is gone: the next fork finds none, says how to start one, and does not hang.
    const orphan = (await api('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: secondSpan, modified_input: 'Hello Rome' } })).body
    await api(`/api/v1/forks/${orphan.id}/replay`, { method: 'POST' })
    const ended = await waitFor(async () => {
      const body = (await api(`/api/v1/forks/${orphan.id}`)).body
      return body.status === 'no_worker' ? body : undefined
    })
    expect(ended.message).toContain('retrace worker')
  })

  test('a module that registers no resumable function is a usage error (exit 5) naming the fix', async () => {
    project.write('plain.ts', 'export const x = 1\n')
    const result = await runInProject(project, process.execPath, ['--conditions=@retrace/source', cliEntry, 'worker', 'plain.ts'], env())
    expect(result.code).toBe(5)
    expect(result.output).toContain('record({ name, resumable: true }')
    const missing = await runInProject(project, process.execPath, ['--conditions=@retrace/source', cliEntry, 'worker', 'absent.ts'], env())
    expect(missing.code).toBe(5)
    expect(missing.output).toContain('no module absent.ts')
  })
})
