import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest'
import { startEchoServer, type EchoServer } from '../../test-support/corpus-echo-server.ts'
import { startRetraceTestServer, type RetraceTestServer } from '../../test-support/retrace-test-server.ts'
import { SECRET_SHAPES, type SecretShape } from '../../test-support/secret-corpus.ts'
import { failOnUnhandledRejections } from '../../test-support/unhandled-rejections.ts'
import { configure, flush, record, shutdown, span, tool } from '../src/index.ts'

failOnUnhandledRejections()

// Issue 15: the runtime SDK's events pass the same secret rules as cassettes before they are
// journaled or sent. 30 fake secrets go into a run's input and output, tool inputs, outputs
// and errors, metadata, and LLM messages both ways (JSON and streamed, split over deltas);
// neither the journal on disk nor what the protocol test server receives may hold one.

let provider: EchoServer

beforeAll(async () => {
  provider = await startEchoServer()
})
afterAll(() => provider.stop())
afterEach(async () => {
  await shutdown(200)
  configure({})
  vi.unstubAllEnvs()
})

/** A journal folder of the test's own (the default transport reads RETRACE_JOURNAL_DIR). */
const freshJournal = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-runtime-secrets-'))
  vi.stubEnv('RETRACE_JOURNAL_DIR', dir)
  return dir
}

const client = () => new OpenAI({ apiKey: 'fake-key', baseURL: provider.baseURL, maxRetries: 0, fetch: (input, init) => fetch(input, init) })

/** One recorded run that carries `shape` everywhere a trace has content. */
const leakyAgent = (shape: SecretShape) =>
  record({ name: 'leaky-agent', metadata: { [shape.field]: shape.value, note: shape.text } }, async (question: string) => {
    const loadConfig = tool('load_config', (query: { text: string }) => ({ config: { [shape.field]: shape.value }, echoed: query.text }))
    const failing = tool('call_api', () => {
      throw new Error(`the API refused ${shape.text}`)
    })
    const config = loadConfig({ text: shape.text })
    try {
      failing()
    } catch {
      // The error is recorded on its span; the agent goes on.
    }
    const answer = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${question} ${shape.text}` }] }, { headers: { 'x-corpus-mode': 'json' } })
    let streamed = ''
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: shape.text }] }, { headers: { 'x-corpus-mode': 'stream' } })
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? ''
    return { answer: answer.choices[0]?.message.content, streamed, config }
  })

const forms = (shape: SecretShape) => [shape.value, JSON.stringify(shape.value).slice(1, -1)]

test('30 secret shapes: none reaches the protocol test server, and the agent still gets its real values', async () => {
  const retrace = await startRetraceTestServer()
  freshJournal()
  configure({ apiKey: 'rt_test', baseUrl: retrace.url })
  try {
    for (const shape of SECRET_SHAPES) {
      const result = await leakyAgent(shape)(`Check ${shape.text}`)
      // Redaction is for what leaves the process, never for the agent.
      expect(result.config.config[shape.field]).toBe(shape.value)
    }
    expect(await flush()).toEqual({ complete: true })
    const received = JSON.stringify(retrace.events)
    expect(retrace.traces().size).toBe(SECRET_SHAPES.length)
    for (const shape of SECRET_SHAPES) for (const form of forms(shape)) expect(received, shape.name).not.toContain(form)
    const spans = [...retrace.traces().values()].flatMap((trace) => trace.spans)
    expect(spans.filter((item) => item.kind === 'llm')).toHaveLength(SECRET_SHAPES.length * 2)
    expect(spans.filter((item) => item.status === 'error')).toHaveLength(SECRET_SHAPES.length)
    expect(received).toContain('[REDACTED:')
  } finally {
    await shutdown(500)
    await retrace.stop()
  }
})

test('30 secret shapes: none reaches the on-disk journal while the server is down', async () => {
  const retrace = await startRetraceTestServer()
  await retrace.stop()
  const journal = freshJournal()
  configure({ apiKey: 'rt_test', baseUrl: retrace.url })
  for (const shape of SECRET_SHAPES) await leakyAgent(shape)('Check')
  await shutdown(300)
  const files = readdirSync(journal, { recursive: true }).map(String).filter((name) => name.endsWith('.jsonl'))
  expect(files.length).toBeGreaterThan(0)
  const written = files.map((name) => readFileSync(join(journal, name), 'utf8')).join('\n')
  expect(written).toContain('leaky-agent')
  for (const shape of SECRET_SHAPES) for (const form of forms(shape)) expect(written, shape.name).not.toContain(form)
})

test('spans outside tools are covered too: a span output and a thrown error message', async () => {
  const retrace = await startRetraceTestServer()
  freshJournal()
  configure({ apiKey: 'rt_test', baseUrl: retrace.url })
  const [stripe, jwt] = [SECRET_SHAPES.find((shape) => shape.name === 'stripe secret key')!, SECRET_SHAPES.find((shape) => shape.name === 'jwt')!]
  const run = record({ name: 'span-run' }, () => {
    span('plan', () => ({ token: jwt.value }))
    throw new Error(`giving up: ${stripe.value}`)
  })
  expect(() => run()).toThrow(stripe.value)
  expect(await flush()).toEqual({ complete: true })
  const received = JSON.stringify(retrace.events)
  expect(received).toContain('giving up: [REDACTED:stripe-key]')
  expect(received).not.toContain(stripe.value)
  expect(received).not.toContain(jwt.value)
  await shutdown(500)
  await retrace.stop()
})
