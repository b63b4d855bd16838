import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { configure, flush, shutdown } from '@retrace/core'
import { runtime } from '@retrace/core/internal'
import { fourStepAgent, pollUntil, startCountingProvider, type CountingProvider, type ToolRuns } from './fork-fixtures.ts'
import { freePort, spawnServer, type ServerProcess } from './server-process.ts'
import { storeTargets } from './store-matrix.ts'

// A sweep of 12 variants at concurrency 3 against a `retrace-server` process killed with
// SIGKILL halfway and started again on the same database: it resumes, no variant that
// completed runs again, every variant ends with a result, and the fake provider never has
// more than 3 of them in flight. The runtime SDK in this process is the worker (its runs go
// on while the server is down; their traces are delivered after the restart).

const CITIES = ['Oslo', 'Rome', 'Lima', 'Quito', 'Hanoi', 'Accra', 'Dakar', 'Bern', 'Riga', 'Doha', 'Kyiv', 'Cairo']
let counting: CountingProvider

beforeAll(async () => {
  counting = await startCountingProvider({ latencyMs: 60 })
  process.env.RETRACE_JOURNAL_DIR = mkdtempSync(join(tmpdir(), 'retrace-sweep-journal-'))
})
afterAll(async () => {
  await counting.stop()
  delete process.env.RETRACE_JOURNAL_DIR
})

describe.each(storeTargets())('a sweep across a server crash on $engine', (target) => {
  let server: ServerProcess | undefined
  afterAll(async () => {
    await shutdown(5_000)
    configure({})
    server?.child.kill('SIGTERM')
    await server?.exited
  })

  test.skipIf(!target.available)('kill -9 halfway and restart: 12 results, no completed variant run again, never more than 3 in flight', { timeout: 150_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrace-sweep-'))
    const databaseUrl = await target.freshUrl()
    const port = String(await freePort())
    const args = ['--port', port, '--database-url', databaseUrl, '--log-level', 'warn']
    server = spawnServer(args, dir)
    const url = await server.url()
    const key = server.apiKey()!
    const call = async (path: string, json?: unknown) => {
      const response = await fetch(`${url}${path}`, { method: json ? 'POST' : 'GET', headers: { 'x-retrace-key': key, 'content-type': 'application/json' }, ...(json ? { body: JSON.stringify(json) } : {}) })
      return (await response.json()) as any
    }
    configure({ baseUrl: url, apiKey: key })
    const runs: ToolRuns = { get_weather: 0, get_time: 0 }
    const agent = fourStepAgent(`sweep-agent-${target.engine}`, counting.provider, runs)
    await agent('What is the weather in Paris?')
    expect(await flush(10_000)).toEqual({ complete: true })
    runtime().recentTraces.clear()
    const traceId = agent.lastTrace!.id
    const { spans } = await call(`/api/v1/traces/${traceId}`)
    const third = spans.flatMap(function flat(span: { kind: string; children: unknown[] }): any[] {
      return [span, ...(span.children as any[]).flatMap(flat)]
    }).filter((span: { kind: string }) => span.kind === 'llm')[2]

    counting.provider.reset()
    counting.resetPeak()
    const sweep = await call('/api/v1/forks/sweep', { trace_id: traceId, fork_point_span_id: third.id, variants: CITIES.map((city) => ({ label: city, modified_input: `What is the weather in ${city}?` })) })
    expect(sweep).toMatchObject({ kind: 'sweep', status: 'running', concurrency: 3, progress: { total: 12 } })

    const withOutput = (error: Error): never => {
      throw new Error(`${error.message}\nserver output:\n${server?.output().slice(-3000)}`)
    }
    const halfway = await pollUntil(async () => ({ body: await call(`/api/v1/forks/sweep/${sweep.id}`) }), (body: any) => body.progress.completed >= 4, 40_000).catch(withOutput)
    server.child.kill('SIGKILL')
    await server.exited
    const completedBefore = new Set(halfway.variants.filter((variant: { status: string }) => variant.status === 'completed').map((variant: { label: string }) => variant.label))
    server = spawnServer(args, dir)
    await server.url()

    const done = await pollUntil(async () => ({ body: await call(`/api/v1/forks/sweep/${sweep.id}`) }), (body: any) => body.status !== 'running', 60_000).catch(withOutput)
    expect(done.status).toBe('completed')
    expect(done.progress).toMatchObject({ total: 12, done: 12, completed: 12 })
    expect(completedBefore.size).toBeGreaterThanOrEqual(4)
    expect(completedBefore.size).toBeLessThan(12)
    for (const variant of done.variants) {
      expect(variant.result, variant.label).toMatchObject({ status: 'completed', verdict: 'diverged', first_divergent_step: 3 })
      expect(variant.result.output).toContain(variant.label)
      // Each variant ran once: its two live calls (steps 3 and 4), never again. (A command the
      // crash may have swallowed is sent again under the same id, which a worker runs once.)
      expect(counting.callsWith(`weather in ${variant.label}?`), variant.label).toBe(2)
    }
    expect(counting.peak).toBeLessThanOrEqual(3)
    expect(counting.peak).toBeGreaterThanOrEqual(2)
  })
})
