import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { RECORD_ONCE, twoCallAgent } from '../../test-support/fork-agent.ts'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'
import { pollUntil, startCountingProvider, type CountingProvider } from './fork-fixtures.ts'
import { spawnServer, type ServerProcess } from './server-process.ts'
import { storeTargets } from './store-matrix.ts'

// Scale-out: two `retrace-server` processes on one PostgreSQL, a `retrace worker` connected
// to each. A sweep made on one is shared by both: every variant runs exactly once, on
// either worker, and never more than the sweep's concurrency at once across both.

const postgres = storeTargets().find((target) => target.engine === 'postgres')!
const cliEntry = join(import.meta.dirname, '..', '..', 'cli', 'src', 'bin', 'retrace.ts')
const CITIES = Array.from({ length: 16 }, (_, i) => `Town${String.fromCharCode(65 + i)}x`)

describe.skipIf(!postgres.available)('two server processes and two workers on one PostgreSQL', () => {
  let counting: CountingProvider
  let project: FixtureProject
  const servers: ServerProcess[] = []
  const workers: Array<{ child: ChildProcess; output: () => string }> = []
  let key: string
  let urls: string[]

  const env = (url: string) => ({ FAKE_OPENAI_URL: counting.provider.openaiBaseURL, RETRACE_BASE_URL: url, RETRACE_API_KEY: key, RETRACE_JOURNAL_DIR: mkdtempSync(join(tmpdir(), 'retrace-scale-journal-')) })
  const call = async (url: string, path: string, json?: unknown) => {
    const response = await fetch(`${url}${path}`, { method: json ? 'POST' : 'GET', headers: { 'x-retrace-key': key, 'content-type': 'application/json' }, ...(json ? { body: JSON.stringify(json) } : {}) })
    return (await response.json()) as any
  }

  beforeAll(async () => {
    counting = await startCountingProvider({ latencyMs: 40 })
    project = createFixtureProject({ 'package.json': JSON.stringify({ name: 'scale-fixture', private: true, type: 'module' }), 'agent.ts': twoCallAgent('scale-agent'), 'record-once.ts': RECORD_ONCE })
    const databaseUrl = await postgres.freshUrl()
    const dir = mkdtempSync(join(tmpdir(), 'retrace-scale-forks-'))
    servers.push(spawnServer(['--port', '0', '--database-url', databaseUrl, '--log-level', 'warn'], dir))
    const first = await servers[0]!.url()
    key = servers[0]!.apiKey()!
    servers.push(spawnServer(['--port', '0', '--database-url', databaseUrl, '--log-level', 'warn'], dir))
    urls = [first, await servers[1]!.url()]
    for (const url of urls) {
      let output = ''
      const child = spawn(process.execPath, ['--conditions=@retrace/source', cliEntry, 'worker', 'agent.ts', '--concurrency', '4'], { cwd: project.dir, env: { ...process.env, NODE_OPTIONS: '', ...env(url) }, stdio: ['ignore', 'pipe', 'pipe'] })
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
      workers.push({ child, output: () => output })
    }
    await pollUntil(async () => ({ body: await call(urls[0]!, '/api/v1/connections') }), (body) => body.connections.filter((c: { resumable: string[] }) => c.resumable.includes('scale-agent')).length === 2, 30_000)
  })
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGTERM')
    for (const server of servers) server.child.kill('SIGTERM')
    await Promise.all(servers.map((server) => server.exited))
    await counting?.stop()
  })

  test('a sweep made on one process runs on both workers: every variant exactly once, never more than its concurrency in flight', { timeout: 150_000 }, async () => {
    const recorded = await runInProject(project, process.execPath, ['--conditions=@retrace/source', 'record-once.ts'], { ...env(urls[1]!), RETRACE_JOURNAL_DIR: mkdtempSync(join(tmpdir(), 'retrace-scale-once-')) })
    expect(recorded.code, recorded.output).toBe(0)
    const traceId = recorded.output.trim().split('\n').at(-1)!
    const { spans } = await call(urls[0]!, `/api/v1/traces/${traceId}`)
    counting.provider.reset()
    counting.resetPeak()
    const sweep = await call(urls[1]!, '/api/v1/forks/sweep', { trace_id: traceId, fork_point_span_id: spans[0].id, concurrency: 4, variants: CITIES.map((city) => ({ label: city, modified_input: `Hello ${city}` })) })
    const done = await pollUntil(async () => ({ body: await call(urls[0]!, `/api/v1/forks/sweep/${sweep.id}`) }), (body) => body.status !== 'running', 90_000).catch((error: Error) => {
      throw new Error(`${error.message}\nworkers:\n${workers.map((worker) => worker.output().slice(-1500)).join('\n')}\nservers:\n${servers.map((server) => server.output().slice(-1500)).join('\n')}`)
    })
    expect(done.progress, workers.map((worker) => worker.output()).join('\n')).toMatchObject({ total: 16, completed: 16 })
    // Both calls of a variant name its city (the second quotes the first answer): 2 per variant, run once.
    for (const city of CITIES) expect(counting.callsWith(`Hello ${city}`), city).toBe(2)
    expect(counting.provider.requestCount).toBe(32)
    expect(new Set(done.variants.map((variant: { worker_instance_id: string }) => variant.worker_instance_id)).size).toBe(2)
    expect(done.variants.every((variant: { attempt: number }) => variant.attempt === 1)).toBe(true)
    expect(counting.peak).toBeLessThanOrEqual(4)
    expect(counting.peak).toBeGreaterThanOrEqual(3)
  })
})
