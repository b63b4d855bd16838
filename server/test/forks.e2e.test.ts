import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseCassette } from '@retrace/cassettes'
import { configure, flush, shutdown } from '@retrace/core'
import { runtime } from '@retrace/core/internal'
import { FINAL, fourStepAgent, pollUntil, startCountingProvider, type CountingProvider, type ToolRuns } from './fork-fixtures.ts'
import { storeTargets } from './store-matrix.ts'
import { startTestServer, type TestServer } from './test-server.ts'

// Fork & Replay end to end, on both stores: the runtime SDK in this process records a
// 4-step tool-using agent and is the worker the server sends forks to (after forgetting
// the run, so the prefix comes from the cassette the server rebuilt); the fake provider
// counts every call.

let counting: CountingProvider
beforeAll(async () => {
  counting = await startCountingProvider()
  process.env.RETRACE_JOURNAL_DIR = mkdtempSync(join(tmpdir(), 'retrace-forks-journal-'))
})
afterAll(async () => {
  await counting.stop()
  delete process.env.RETRACE_JOURNAL_DIR
})

interface Flat {
  id: string
  kind: string
  name: string
  metadata?: Record<string, unknown>
  step?: { usage?: { inputTokens: number; outputTokens: number }; costUsd?: number }
  durationMs: number
  children: Flat[]
}
const flatten = (nodes: Flat[]): Flat[] => nodes.flatMap((node) => [node, ...flatten(node.children)])

describe.each(storeTargets())('Fork & Replay on $engine', (target) => {
  let t: TestServer
  const runs: ToolRuns = { get_weather: 0, get_time: 0 }
  let agent: ReturnType<typeof fourStepAgent>
  let traceId: string
  let spans: Flat[]

  beforeAll(async () => {
    if (!target.available) return
    t = await startTestServer(target, { logLevel: 'warn', forkWorkerTimeoutMs: 1_000 })
    configure({ baseUrl: t.url, apiKey: t.key })
    agent = fourStepAgent(`weather-agent-${target.engine}`, counting.provider, runs)
    await agent('What is the weather in Paris?')
    traceId = agent.lastTrace!.id
    expect(await flush(10_000)).toEqual({ complete: true })
    spans = flatten((await t.call(`/api/v1/traces/${traceId}`)).body.spans)
    // The worker keeps no memory of the run: the prefix must come from the server's cassette.
    runtime().recentTraces.clear()
  })
  afterAll(async () => {
    await shutdown(5_000)
    configure({})
    await t?.close()
  })

  const llmSpans = () => spans.filter((span) => span.kind === 'llm')
  const waitFinal = (forkId: string) => pollUntil(() => t.call(`/api/v1/forks/${forkId}`), (fork: Record<string, any>) => FINAL.includes(fork.status))

  test.skipIf(!target.available)('a streamed trace pulls as a cassette of its exchanges, in step order', async () => {
    const pulled = await t.request(`/api/v1/traces/${traceId}/cassette`)
    expect(pulled.status).toBe(200)
    const cassette = parseCassette(await pulled.text(), 'pulled')
    expect(cassette.interactions).toHaveLength(4)
    expect(cassette.run?.result).toMatch(/^Based on get_weather.* \| Based on get_time/)
    expect(JSON.stringify(cassette.interactions[0]!.request.body)).toContain('What is the weather in Paris?')
    expect(cassette.interactions.map((interaction) => interaction.step?.finishReason)).toEqual(['tool_calls', 'stop', 'tool_calls', 'stop'])
  })

  test.skipIf(!target.available)('fork at step 3: steps 1–2 make no provider call, steps 3–4 run live; a second replay runs only when forced', async () => {
    const third = llmSpans()[2]!
    const created = await t.call('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: third.id, modified_input: 'What is the weather in Oslo?' } })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^fk_/), status: 'created', trace_id: traceId, fork_point_step: 3, fork_point_tool_call: null })

    const before = { calls: counting.provider.requestCount, ...runs }
    const replayed = await t.call(`/api/v1/forks/${created.body.id}/replay`, { method: 'POST' })
    expect(replayed).toMatchObject({ status: 202, body: { status: 'queued' } })
    const fork = await waitFinal(created.body.id)
    expect(fork).toMatchObject({ status: 'completed', fork_trace_id: expect.any(String), attempt: 1, message: null })
    expect(counting.provider.requestCount - before.calls).toBe(2)
    // The weather tool (asked at step 1) returned its recorded result; the time tool (step 3) ran.
    expect(runs.get_weather).toBe(before.get_weather)
    expect(runs.get_time).toBe(before.get_time + 1)

    const forkTrace = (await t.call(`/api/v1/traces/${fork.fork_trace_id}`)).body
    expect(forkTrace.trace).toMatchObject({ forkOf: traceId, forkPointStep: 3, forkId: created.body.id, status: 'completed', input: ['What is the weather in Oslo?'] })
    const forkLlm = flatten(forkTrace.spans).filter((span) => span.kind === 'llm')
    expect(forkLlm.map((span) => span.metadata?.replayed === true)).toEqual([true, true, false, false])

    // The diff: steps aligned, the first divergence at the fork point, deltas that are the sums over the spans.
    const diff = (await t.call(`/api/v1/forks/${created.body.id}/diff`)).body
    expect(diff).toMatchObject({ fork_id: created.body.id, trace_id: traceId, fork_trace_id: fork.fork_trace_id, fork_point_step: 3 })
    expect(diff.divergence).toMatchObject({ verdict: 'diverged', first_divergent_step: 3 })
    expect(diff.divergence.score).toBeGreaterThan(0)
    expect(diff.divergence.score).toBeLessThanOrEqual(1)
    expect(diff.steps.map((step: { status: string }) => step.status).slice(0, 2)).toEqual(['identical', 'identical'])
    expect(diff.steps.map((step: { fork: { replayed: boolean } }) => step.fork.replayed)).toEqual([true, true, false, false])
    const sum = (list: Flat[], pick: (span: Flat) => number) => list.reduce((total, span) => total + pick(span), 0)
    const forkSpans = flatten(forkTrace.spans).filter((span) => span.kind === 'llm')
    const cost = (span: Flat) => span.step?.costUsd ?? 0
    const input = (span: Flat) => span.step?.usage?.inputTokens ?? 0
    const output = (span: Flat) => span.step?.usage?.outputTokens ?? 0
    expect(diff.totals.delta.cost_usd).toBeCloseTo(sum(forkSpans, cost) - sum(llmSpans(), cost), 12)
    expect(diff.totals.delta.input_tokens).toBe(sum(forkSpans, input) - sum(llmSpans(), input))
    expect(diff.totals.delta.output_tokens).toBe(sum(forkSpans, output) - sum(llmSpans(), output))
    expect(diff.totals.delta.latency_ms).toBeCloseTo(sum(forkSpans, (span) => span.durationMs) - sum(llmSpans(), (span) => span.durationMs), 6)
    expect(diff.totals.delta.input_tokens).toBe(diff.steps.reduce((total: number, step: { delta: { input_tokens: number } }) => total + step.delta.input_tokens, 0))
    expect(diff.totals.fork.live_cost_usd).toBeCloseTo(sum(forkSpans.slice(2), cost), 12)
    expect((await t.call(`/api/v1/traces/${traceId}/diff/${created.body.id}`)).body).toEqual(diff)
    expect((await t.call(`/api/v1/traces/other/diff/${created.body.id}`)).status).toBe(404)

    const again = await t.call(`/api/v1/forks/${created.body.id}/replay`, { method: 'POST', json: {} })
    expect(again).toMatchObject({ status: 200, body: { status: 'completed', fork_trace_id: fork.fork_trace_id } })
    expect(counting.provider.requestCount - before.calls).toBe(2)
    const forced = await t.call(`/api/v1/forks/${created.body.id}/replay`, { json: { force: true } })
    expect(forced).toMatchObject({ status: 202, body: { status: 'queued' } })
    const rerun = await waitFinal(created.body.id)
    expect(rerun).toMatchObject({ status: 'completed', attempt: 2 })
    expect(rerun.fork_trace_id).not.toBe(fork.fork_trace_id)
    expect(counting.provider.requestCount - before.calls).toBe(4)
  })

  test.skipIf(!target.available)('a fork at a tool span re-runs that tool; at an LLM span its tool calls before the point are replayed', async () => {
    const weatherTool = spans.find((span) => span.kind === 'tool' && span.name === 'get_weather')!
    const created = await t.call('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: weatherTool.id, modified_input: 'What is the weather in Paris?' } })
    expect(created.body).toMatchObject({ fork_point_step: 2, fork_point_tool_call: 1 })
    const before = { calls: counting.provider.requestCount, ...runs }
    await t.call(`/api/v1/forks/${created.body.id}/replay`, { method: 'POST' })
    expect(await waitFinal(created.body.id)).toMatchObject({ status: 'completed' })
    expect(runs.get_weather).toBe(before.get_weather + 1)
    expect(counting.provider.requestCount - before.calls).toBe(3)
  })

  test.skipIf(!target.available)('estimate before running: naive and full re-run from the recorded tokens at table prices; after an identical fork ran, its steps come from the cache', async () => {
    const third = llmSpans()[2]!
    const price = (span: Flat) => (span.step!.usage!.inputTokens * 0.15 + span.step!.usage!.outputTokens * 0.6) / 1_000_000
    const first = (await t.call('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: third.id, modified_input: 'What is the weather in Bergen?' } })).body
    const before = (await t.call(`/api/v1/forks/${first.id}/estimate`)).body
    expect(before.naive_usd).toBeCloseTo(price(llmSpans()[2]!) + price(llmSpans()[3]!), 12)
    expect(before.full_rerun_usd).toBeCloseTo(llmSpans().reduce((total, span) => total + price(span), 0), 12)
    expect(before.savings.differential_replay_usd).toBeCloseTo(price(llmSpans()[0]!) + price(llmSpans()[1]!), 12)
    expect(before.steps.map((step: { treatment: string }) => step.treatment).slice(0, 2)).toEqual(['recording', 'recording'])
    expect(before.optimized_usd).toBeLessThanOrEqual(before.naive_usd)
    await t.call(`/api/v1/forks/${first.id}/replay`, { method: 'POST' })
    expect(await waitFinal(first.id)).toMatchObject({ status: 'completed' })
    const same = (await t.call('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: third.id, modified_input: 'what is the weather in bergen' } })).body
    const cached = (await t.call(`/api/v1/forks/${same.id}/estimate`)).body
    expect(cached.steps.map((step: { treatment: string }) => step.treatment)).toEqual(['recording', 'recording', 'semantic_cache', 'semantic_cache'])
    expect(cached).toMatchObject({ optimized_usd: 0, savings_pct: 100 })
  })

  test.skipIf(!target.available)('inline edit with replay: one call makes and runs the fork', async () => {
    const created = await t.call(`/api/v1/traces/${traceId}/inline-edit`, { json: { span_id: llmSpans()[2]!.id, modified_input: 'What is the weather in Lima?', replay: true } })
    expect(created).toMatchObject({ status: 201, body: { status: 'queued', fork_point_step: 3, trace_id: traceId } })
    expect(await waitFinal(created.body.id)).toMatchObject({ status: 'completed' })
    expect((await t.call(`/api/v1/traces/${traceId}/inline-edit`, { json: { span_id: llmSpans()[2]!.id, modified_input: 'x' } })).body.status).toBe('created')
  })

  test.skipIf(!target.available)('commit: the fork becomes the trace’s baseline with its lineage; pulling the trace yields the fork’s cassette', async () => {
    const created = (await t.call(`/api/v1/traces/${traceId}/inline-edit`, { json: { span_id: llmSpans()[2]!.id, modified_input: 'What is the weather in Quito?', replay: true } })).body
    expect((await t.call(`/api/v1/forks/${created.id}/commit`, { method: 'POST' })).status).toBe(409)
    const fork = await waitFinal(created.id)
    const committed = await t.call(`/api/v1/forks/${created.id}/commit`, { method: 'POST' })
    expect(committed).toMatchObject({ status: 200, body: { fork: { committed_at: expect.any(String) }, baseline: { trace_id: traceId, baseline_trace_id: fork.fork_trace_id, lineage: [{ seq: 1, fork_id: created.id }] } } })
    const pulled = await t.request(`/api/v1/traces/${traceId}/cassette`)
    expect(pulled.headers.get('x-retrace-baseline')).toBe(fork.fork_trace_id)
    const cassette = parseCassette(await pulled.text(), 'baseline')
    const forkTrace = (await t.call(`/api/v1/traces/${fork.fork_trace_id}`)).body.trace
    expect(cassette.run?.result).toEqual(forkTrace.output)
    expect(cassette.interactions).toHaveLength(4)
    // The fork's cassette records what the fork sent, its new input included, from step 1.
    expect(JSON.stringify(cassette.interactions[0]!.request.body)).toContain('Quito')
    const own = parseCassette(await (await t.request(`/api/v1/traces/${traceId}/cassette?original=true`)).text(), 'own')
    expect(JSON.stringify(own.interactions[0]!.request.body)).toContain('Paris')
    expect((await t.call(`/api/v1/traces/${traceId}/baseline`)).body).toMatchObject({ baseline_trace_id: fork.fork_trace_id })
  })

  test.skipIf(!target.available)('a sweep runs every variant with its result; a cancelled sweep runs no variant that had not started', async () => {
    const variants = ['Oslo', 'Rome', 'Lima'].map((city) => ({ label: city, modified_input: `What is the weather in ${city}?` }))
    const sweep = await t.call('/api/v1/forks/sweep', { json: { trace_id: traceId, fork_point_span_id: llmSpans()[2]!.id, variants, concurrency: 2 } })
    expect(sweep).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^sw_/), kind: 'sweep', concurrency: 2, progress: { total: 3 } } })
    const done = await pollUntil(() => t.call(`/api/v1/forks/sweep/${sweep.body.id}`), (body: Record<string, any>) => body.status !== 'running')
    expect(done).toMatchObject({ status: 'completed', progress: { total: 3, done: 3, completed: 3 } })
    expect(done.variants.map((variant: { label: string; result: { output: string } }) => variant.result.output.includes(variant.label))).toEqual([true, true, true])

    const many = Array.from({ length: 6 }, (_, i) => ({ label: `v${i}`, modified_input: `What is the weather in Town${i}${target.engine}?` }))
    const slow = (await t.call('/api/v1/forks/sweep', { json: { trace_id: traceId, fork_point_span_id: llmSpans()[2]!.id, variants: many, concurrency: 1 } })).body
    const cancelled = (await t.call(`/api/v1/forks/sweep/${slow.id}/cancel`, { method: 'POST' })).body
    expect(cancelled.cancelled_at).not.toBeNull()
    const ended = await pollUntil(() => t.call(`/api/v1/forks/sweep/${slow.id}`), (body: Record<string, any>) => body.status !== 'running')
    expect(ended.status).toBe('cancelled')
    expect(ended.progress.cancelled).toBeGreaterThanOrEqual(4)
    expect(ended.progress.completed + ended.progress.cancelled).toBe(6)
    for (const variant of ended.variants.filter((item: { status: string }) => item.status === 'cancelled')) expect(counting.callsWith(`Town${variant.index}${target.engine}?`)).toBe(0)
    expect((await t.call('/api/v1/forks/sweep/sw_nope')).status).toBe(404)
  })

  test.skipIf(!target.available)('bad requests get the one error shape: unknown trace or span 404, a missing field 400 naming it, another project 404', async () => {
    expect((await t.call('/api/v1/forks', { json: { trace_id: 'nope', fork_point_span_id: 'x', modified_input: 'a' } })).body).toEqual({ error: { code: 'not_found', message: 'No trace nope in this project.' } })
    const noSpan = await t.call('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: 'x', modified_input: 'a' } })
    expect(noSpan).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: expect.stringContaining('No span x in trace') } } })
    const missing = await t.call('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: llmSpans()[0]!.id } })
    expect(missing).toMatchObject({ status: 400, body: { error: { code: 'bad_request', message: expect.stringContaining('modified_input') } } })
    expect((await t.call('/api/v1/forks/fk_unknown')).status).toBe(404)
    expect((await t.call('/api/v1/forks/fk_unknown', { key: null })).status).toBe(401)
    const other = await t.call('/api/v1/projects', { json: { name: 'other' } })
    const otherKey = other.body.secret as string
    const created = await t.call('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: llmSpans()[0]!.id, modified_input: 'a' } })
    expect((await t.call(`/api/v1/forks/${created.body.id}`, { key: otherKey })).status).toBe(404)
    expect((await t.call(`/api/v1/forks/${created.body.id}/diff`)).body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('has not run yet') })
    const openApi = (await t.call('/api/v1/openapi.json')).body
    for (const path of ['/api/v1/forks', '/api/v1/forks/{forkId}/replay', '/api/v1/forks/{forkId}']) expect(openApi.paths[path]).toBeDefined()
  })

  test.skipIf(!target.available)('no worker for the function: the fork ends no_worker with the way to start one, never hangs', async () => {
    const created = await t.call('/api/v1/forks', { json: { trace_id: traceId, fork_point_span_id: llmSpans()[0]!.id, modified_input: 'x', function: 'nobody-runs-this' } })
    await t.call(`/api/v1/forks/${created.body.id}/replay`, { method: 'POST' })
    const started = Date.now()
    const fork = await waitFinal(created.body.id)
    expect(fork.status).toBe('no_worker')
    expect(fork.message).toContain('registered "nobody-runs-this"')
    expect(fork.message).toContain('retrace worker')
    expect(Date.now() - started).toBeLessThan(5_000)
    // Asked again, it waits for a worker again (no_worker is not a replay).
    expect((await t.call(`/api/v1/forks/${created.body.id}/replay`, { method: 'POST' })).status).toBe(202)
  })
})
