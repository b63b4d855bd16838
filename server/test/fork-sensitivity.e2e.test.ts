import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { configure, flush, record, shutdown } from '@retrace/core'
import { runtime } from '@retrace/core/internal'
import { pollUntil, startCountingProvider, type CountingProvider } from './fork-fixtures.ts'
import { storeTargets } from './store-matrix.ts'
import { startTestServer, type TestServer } from './test-server.ts'

// Sensitivity analysis end to end: an agent whose step 1 reads the input, whose step 2
// ignores it, and whose step 3 builds on step 1; perturbations of its input from step 1 on.

let counting: CountingProvider
beforeAll(async () => {
  counting = await startCountingProvider()
  process.env.RETRACE_JOURNAL_DIR = mkdtempSync(join(tmpdir(), 'retrace-sensitivity-journal-'))
})
afterAll(async () => {
  await counting.stop()
  delete process.env.RETRACE_JOURNAL_DIR
})

const QUESTION = 'Book 2 tickets to Paris for May 3. What is the cheapest option? Please keep it short.'

describe.each(storeTargets())('sensitivity on $engine', (target) => {
  let t: TestServer
  let traceId: string
  let firstSpan: string
  beforeAll(async () => {
    if (!target.available) return
    t = await startTestServer(target, { logLevel: 'warn' })
    configure({ baseUrl: t.url, apiKey: t.key })
    const agent = record({ name: `planner-${target.engine}`, resumable: true }, async (request: string) => {
      const openai = new OpenAI({ apiKey: 'sk-test', baseURL: counting.provider.openaiBaseURL, maxRetries: 0 })
      const ask = async (content: string) => (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })).choices[0]!.message.content ?? ''
      const understood = await ask(`Summarize the request: ${request}`)
      const greeting = await ask('Write a one-line greeting.')
      const answer = await ask(`Answer: ${understood}`)
      return `${greeting} | ${answer}`
    })
    await agent(QUESTION)
    traceId = agent.lastTrace!.id
    expect(await flush(10_000)).toEqual({ complete: true })
    runtime().recentTraces.clear()
    firstSpan = agent.lastTrace!.spans.find((span) => span.kind === 'llm' && span.forkPoint?.step === 1)!.id
  })
  afterAll(async () => {
    await shutdown(5_000)
    configure({})
    await t?.close()
  })

  const run = async (seed: number) => {
    const started = await t.call('/api/v1/forks/sensitivity', { json: { trace_id: traceId, fork_point_span_id: firstSpan, k: 6, seed } })
    expect(started.status).toBe(202)
    expect(started.body).toMatchObject({ id: expect.stringMatching(/^sens_/), k: 6, seed, variants: expect.any(Array) })
    const done = await pollUntil(() => t.call(`/api/v1/forks/sensitivity/${started.body.id}`), (body: Record<string, any>) => body.report !== null, 30_000)
    return done
  }

  test.skipIf(!target.available)('the same seed gives the same report; the step that ignores the input never flips first', async () => {
    const first = await run(7)
    const report = first.report
    expect(report).toMatchObject({ k: 6, scored: 6, seed: 7, fork_point_step: 1 })
    expect(report.sensitivity_score).toBeGreaterThan(0)
    expect(report.sensitivity_score).toBeLessThanOrEqual(1)
    expect(report.flip_rate).toBeGreaterThan(0)
    expect(report.per_step_flip_rate.map((row: { step: number }) => row.step)).toEqual([1, 2, 3])
    expect(report.per_step_flip_rate.find((row: { step: number }) => row.step === 2).rate).toBe(0)
    expect(report.per_step_flip_rate.find((row: { step: number }) => row.step === 1).rate).toBeGreaterThan(0)
    expect(new Set(report.variants.map((variant: { kind: string }) => variant.kind)).size).toBe(6)

    const again = await run(7)
    expect(again.report).toEqual(report)
    expect(again.variants.map((variant: { modified_input: unknown }) => variant.modified_input)).toEqual(first.variants.map((variant: { modified_input: unknown }) => variant.modified_input))
    const other = await t.call('/api/v1/forks/sensitivity', { json: { trace_id: traceId, fork_point_span_id: firstSpan, k: 6, seed: 8 } })
    expect(other.body.variants.map((variant: { modified_input: unknown }) => variant.modified_input)).not.toEqual(first.variants.map((variant: { modified_input: unknown }) => variant.modified_input))
  })

  test.skipIf(!target.available)('bad requests name the field: an unknown perturbation lists the available ones', async () => {
    const bad = await t.call('/api/v1/forks/sensitivity', { json: { trace_id: traceId, fork_point_span_id: firstSpan, perturbations: ['typos', 'shouting'] } })
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'bad_request', message: expect.stringContaining('unknown "shouting"; available: typos, case, whitespace') } } })
    expect((await t.call('/api/v1/forks/sensitivity', { json: { trace_id: traceId, fork_point_span_id: firstSpan, k: 1 } })).status).toBe(400)
    expect((await t.call('/api/v1/forks/sensitivity/sens_nope')).status).toBe(404)
  })
})
