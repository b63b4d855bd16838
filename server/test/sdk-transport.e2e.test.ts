import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { configure, flush, lastTrace, record, shutdown, span, tool } from '@retrace/core'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { spawnServer, type ServerProcess } from './server-process.ts'
import { storeTargets } from './store-matrix.ts'
import { openStream, startTestServer } from './test-server.ts'

// The runtime SDK (record(), its real WebSocket transport and journal) against the real
// server, on both stores: a recorded agent arrives whole; a server killed with SIGKILL and
// restarted mid-run ends with every span stored exactly once and every acknowledged event kept.

let provider: FakeProvider

beforeAll(async () => {
  provider = await startFakeProvider()
  process.env.RETRACE_JOURNAL_DIR = mkdtempSync(join(tmpdir(), 'retrace-e2e-journal-'))
})
afterAll(async () => {
  await provider.stop()
  delete process.env.RETRACE_JOURNAL_DIR
})
afterEach(async () => {
  await shutdown(5_000)
  configure({})
})

const weatherTool: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }

const lookUpWeather = tool('get_weather', async (city: string) => ({ city, sky: 'sunny' }))

/** Two model turns around one tool call: the model asks for the weather, then answers with it. */
async function weatherAgent(question: string): Promise<string | null> {
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
  const history: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: question }]
  const first = (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: history, tools: [weatherTool] })).choices[0]!.message
  const calls = (first.tool_calls ?? []).filter((call) => call.type === 'function')
  const results = await Promise.all(calls.map(async (call) => ({ role: 'tool' as const, tool_call_id: call.id, content: JSON.stringify(await lookUpWeather('Paris')) })))
  const second = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [...history, first, ...results], tools: [weatherTool] })
  return second.choices[0]!.message.content
}

const runAgent = record({ name: 'weather-agent', sessionId: 'e2e-session', tags: ['e2e'] }, (question: string) => span('plan', () => weatherAgent(question)))

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}

describe.each(storeTargets())('the SDK against the server on $engine', (target) => {
  test.skipIf(!target.available)('a recorded agent arrives whole: every span, its steps and the totals', async () => {
    const t = await startTestServer(target)
    try {
      configure({ baseUrl: t.url, apiKey: t.key })
      const answer = await runAgent('What is the weather in Paris?')
      expect(answer).toMatch(/^Based on/)
      expect(await flush(10_000)).toEqual({ complete: true })
      const recorded = lastTrace()!
      const { body } = await t.call(`/api/v1/traces/${recorded.id}`)
      expect(body.trace).toMatchObject({ name: 'weather-agent', status: 'completed', sessionId: 'e2e-session', tags: ['e2e'], output: answer, lossy: false })
      expect(body.trace.totals).toMatchObject({ inputTokens: recorded.totals.inputTokens, outputTokens: recorded.totals.outputTokens, spans: recorded.spans.length, llmCalls: 2 })
      expect(body.trace.totals.usd).toBeCloseTo(recorded.totals.usd, 10)
      const flat: Array<{ id: string; kind: string; step?: unknown; children: unknown[] }> = []
      const walk = (nodes: typeof flat) => nodes.forEach((node) => (flat.push(node), walk(node.children as typeof flat)))
      walk(body.spans)
      expect(flat.map((s) => s.id).sort()).toEqual(recorded.spans.map((s) => s.id).sort())
      expect(body.spans.map((s: { name: string }) => s.name)).toEqual(['plan'])
      expect(flat.filter((s) => s.kind === 'llm').every((s) => s.step !== undefined)).toBe(true)
    } finally {
      await t.close()
    }
  })

  test.skipIf(!target.available)('kill -9 and restart mid-run: every span stored exactly once, every acknowledged event kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrace-e2e-kill-'))
    const databaseUrl = await target.freshUrl()
    const port = String(await freePort())
    let server: ServerProcess = spawnServer(['--port', port, '--database-url', databaseUrl], dir)
    const url = await server.url()
    const key = server.apiKey()!
    configure({ baseUrl: url, apiKey: key })

    // A second client records which batches the server acknowledged before the kill.
    const witness = await openStream(url, key)
    const acknowledged = new Set<string>()
    const witnessBatches = new Map<string, string[]>()
    witness.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; batchId: string }
      if (message.type === 'ack') for (const id of witnessBatches.get(message.batchId) ?? []) acknowledged.add(id)
    })
    let witnessSeq = 0
    const sendWitness = () => {
      const batchId = `witness-${witnessSeq++}`
      const ids = Array.from({ length: 50 }, (_, i) => `${batchId}-span-${i}`)
      witnessBatches.set(batchId, ids)
      if (witness.socket.readyState === witness.socket.OPEN) {
        witness.send({ type: 'batch', batchId, events: ids.map((id) => ({ type: 'span', id, span: { id, traceId: 'witness', kind: 'tool', name: 'w', startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), durationMs: 0, status: 'ok' } })) })
      }
    }

    const traceIds: string[] = []
    const runs = 24
    for (let i = 0; i < runs; i++) {
      await runAgent(`What is the weather in city ${i}?`)
      traceIds.push(lastTrace()!.id)
      sendWitness()
      if (i === 8) {
        server.child.kill('SIGKILL')
        await server.exited
      }
      if (i === 14) {
        server = spawnServer(['--port', port, '--database-url', databaseUrl], dir)
        await server.url()
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(await flush(30_000)).toEqual({ complete: true })
    expect(acknowledged.size).toBeGreaterThan(0)

    const get = async (path: string) => (await fetch(`${url}${path}`, { headers: { 'x-retrace-key': key } })).json() as Promise<any>
    for (const traceId of traceIds) {
      const { trace, spans } = await get(`/api/v1/traces/${traceId}`)
      const ids: string[] = []
      const walk = (nodes: Array<{ id: string; children: unknown[] }>) => nodes.forEach((node) => (ids.push(node.id), walk(node.children as typeof nodes)))
      walk(spans)
      expect(trace.status, traceId).toBe('completed')
      // Exactly once: the stored spans are distinct, and the counter equals them.
      expect(new Set(ids).size).toBe(ids.length)
      expect(trace.totals.spans).toBe(ids.length)
      expect(ids.length).toBeGreaterThanOrEqual(4)
    }
    const witnessTrace = await get('/api/v1/traces/witness')
    const stored = new Set<string>()
    const walk = (nodes: Array<{ id: string; children: unknown[] }>) => nodes.forEach((node) => (stored.add(node.id), walk(node.children as typeof nodes)))
    walk(witnessTrace.spans)
    for (const id of acknowledged) expect(stored.has(id), id).toBe(true)
    witness.socket.terminate()
    server.child.kill('SIGTERM')
    expect((await server.exited).code).toBe(0)
  })
})
