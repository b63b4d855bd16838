import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { startRetraceTestServer, type RetraceTestServer } from '../../test-support/retrace-test-server.ts'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { configure, flush, record, shutdown, span, tool } from '../src/index.ts'
import { runtime } from '../src/internal.ts'
import type { WireSpan } from '@retrace/protocol'
import { failOnUnhandledRejections } from '../../test-support/unhandled-rejections.ts'

failOnUnhandledRejections()

// The runtime SDK with its default transport, end to end: record() → WebSocket/HTTP →
// the test server, through outages, restarts and process exits.

const CORE_ENTRY = resolve(import.meta.dirname, '../src/index.ts')
let provider: FakeProvider
const servers: RetraceTestServer[] = []
const savedJournalDir = process.env.RETRACE_JOURNAL_DIR

beforeAll(async () => {
  provider = await startFakeProvider()
})
afterAll(async () => {
  await provider.stop()
  if (savedJournalDir === undefined) delete process.env.RETRACE_JOURNAL_DIR
  else process.env.RETRACE_JOURNAL_DIR = savedJournalDir
})
afterEach(async () => {
  await shutdown(200)
  configure({})
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function server(): Promise<RetraceTestServer> {
  const started = await startRetraceTestServer()
  servers.push(started)
  return started
}

function freshJournal(): string {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-runtime-journal-'))
  process.env.RETRACE_JOURNAL_DIR = dir
  return dir
}

const weatherAgent = (client: OpenAI) =>
  record({ name: 'weather-agent' }, async (city: string) => {
    const lookup = tool('get_weather', async (where: string) => ({ city: where, sky: 'sunny' }))
    const weather = await lookup(city)
    const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Weather in ${city}: ${JSON.stringify(weather)}` }] })
    return reply.choices[0]?.message.content
  })

test('a recorded run reaches the server: start, tool and LLM spans with their step, end with totals', async () => {
  const retrace = await server()
  freshJournal()
  configure({ apiKey: 'rt_test', baseUrl: retrace.url })
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })

  await weatherAgent(client)('Paris')
  expect(await flush()).toEqual({ complete: true })

  const [trace] = [...retrace.traces().values()]
  expect(trace?.start?.name).toBe('weather-agent')
  expect(trace?.end?.status).toBe('completed')
  expect(trace?.end?.totals.inputTokens).toBeGreaterThan(0)
  const kinds = trace!.spans.map((item: WireSpan) => item.kind).sort()
  expect(kinds).toEqual(['llm', 'tool'])
  expect(trace!.spans.find((item) => item.kind === 'llm')?.step?.model).toBe('gpt-4o-mini')
  expect(retrace.duplicates).toBe(0)
})

test('the server killed mid-run and restarted: every span stored exactly once', async () => {
  const retrace = await server()
  freshJournal()
  configure({ apiKey: 'rt_test', baseUrl: retrace.url })
  const run = record({ name: 'long-run' }, async () => {
    for (let i = 0; i < 60; i++) {
      await span(`step ${i}`, async () => new Promise((done) => setTimeout(done, 2)))
      if (i === 20) await retrace.stop()
      if (i === 40) await retrace.start()
    }
    return 'done'
  })

  await run()
  await flush(15_000)
  await retrace.waitFor((current) => [...current.traces().values()][0]?.end !== undefined, 15_000)

  const [trace] = [...retrace.traces().values()]
  expect(trace?.spans).toHaveLength(60)
  expect(new Set(retrace.events.map((event) => event.id)).size).toBe(retrace.events.length)
  expect(trace?.end?.status).toBe('completed')
  expect(trace?.lossy).toBe(false)
}, 30_000)

/** Runs a script that uses @retrace/core in a fresh Node process. */
function runScript(body: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> & { child: ReturnType<typeof spawn> } {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-runtime-child-'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }')
  writeFileSync(join(dir, 'script.ts'), `const { configure, record, span } = await import(${JSON.stringify(CORE_ENTRY)})\n${body}\n`)
  const child = spawn(process.execPath, ['--conditions=@retrace/source', join(dir, 'script.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<{ code: number | null; output: string }>((done) => child.once('exit', (code) => done({ code, output })))
  return Object.assign(exited, { child })
}

test('server down for the whole run: the run is journaled, the process exits, and the next start delivers it', async () => {
  const retrace = await server()
  await retrace.stop()
  const journal = freshJournal()

  const first = await runScript(
    `configure({ apiKey: 'rt_test', baseUrl: process.env.BASE_URL })
await record({ name: 'offline-run' }, async () => { for (let i = 0; i < 5; i++) await span('step ' + i, async () => i) })()
console.log('finished')`,
    { BASE_URL: retrace.url, RETRACE_JOURNAL_DIR: journal },
  )
  expect(first.output).toContain('finished')
  expect(first.code).toBe(0)
  expect(readdirSync(journal, { recursive: true }).some((name) => String(name).endsWith('.jsonl'))).toBe(true)

  await retrace.start()
  // The next process that starts the SDK for this server and key delivers the orphaned journal.
  configure({ apiKey: 'rt_test', baseUrl: retrace.url })
  await record({ name: 'next-start' }, () => 'ok')()
  await retrace.waitFor((current) => [...current.traces().values()].some((trace) => trace.start?.name === 'offline-run' && trace.end !== undefined), 10_000)
  const offline = [...retrace.traces().values()].find((trace) => trace.start?.name === 'offline-run')
  expect(offline?.spans).toHaveLength(5)
  expect(offline?.end?.status).toBe('completed')
}, 30_000)

test('SIGTERM mid-run: the run is ended as terminated early, flushed, and the process exits with 143', async () => {
  const retrace = await server()
  const journal = freshJournal()
  const script = runScript(
    `configure({ apiKey: 'rt_test', baseUrl: process.env.BASE_URL })
void record({ name: 'interrupted' }, async () => {
  await span('first', async () => 1)
  console.log('running')
  await new Promise(() => setInterval(() => {}, 1000))
})()`,
    { BASE_URL: retrace.url, RETRACE_JOURNAL_DIR: journal },
  )
  await new Promise<void>((ready) => {
    const check = (chunk: Buffer) => {
      if (chunk.toString().includes('running')) ready()
    }
    script.child.stdout!.on('data', check)
  })
  script.child.kill('SIGTERM')
  const { code, output } = await script
  expect(code, output).toBe(143)

  const trace = [...retrace.traces().values()].find((item) => item.start?.name === 'interrupted')
  expect(trace?.end?.terminatedEarly).toBe(true)
  expect(trace?.end?.status).toBe('failed')
  expect(trace?.end?.error?.message).toMatch(/SIGTERM/)
  expect(trace?.spans.map((item) => item.name)).toEqual(['first'])
}, 30_000)

test('killed with SIGKILL after its events were journaled: the next start picks the journal up', async () => {
  const retrace = await server()
  await retrace.stop()
  const journal = freshJournal()
  const script = runScript(
    `configure({ apiKey: 'rt_test', baseUrl: process.env.BASE_URL })
void record({ name: 'killed' }, async () => {
  for (let i = 0; i < 3; i++) await span('step ' + i, async () => i)
  // Batches are cut every 50 ms: wait for the cut to reach the journal, then report.
  await new Promise((done) => setTimeout(done, 300))
  console.log('journaled')
  await new Promise(() => setInterval(() => {}, 1000))
})()`,
    { BASE_URL: retrace.url, RETRACE_JOURNAL_DIR: journal },
  )
  await new Promise<void>((ready) => script.child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('journaled') && ready()))
  script.child.kill('SIGKILL')
  await script

  await retrace.start()
  configure({ apiKey: 'rt_test', baseUrl: retrace.url })
  await record({ name: 'next-start' }, () => 'ok')()
  await retrace.waitFor((current) => [...current.traces().values()].some((trace) => trace.start?.name === 'killed' && trace.spans.length === 3), 10_000)
  const killed = [...retrace.traces().values()].find((trace) => trace.start?.name === 'killed')
  // Killed without a chance to say so: the server has its start and spans, and no end.
  expect(killed?.end).toBeUndefined()
}, 30_000)

test('no API key, or RETRACE_ENABLED=false: nothing is sent and the run works', async () => {
  const retrace = await server()
  freshJournal()
  configure({ baseUrl: retrace.url })
  expect(await record({ name: 'keyless' }, () => 42)()).toBe(42)
  configure({ apiKey: 'rt_test', baseUrl: retrace.url, enabled: false })
  expect(await record({ name: 'disabled' }, async () => 43)()).toBe(43)
  expect(await flush()).toEqual({ complete: true })
  expect(runtime().currentTransport()).toBeUndefined()
  expect(retrace.events).toHaveLength(0)
})

test('a plain-http base URL on a remote host is refused at configure(), naming the fix', () => {
  expect(() => configure({ apiKey: 'rt_test', baseUrl: 'http://retrace.example.com' })).toThrow(/plain http.*allowInsecureHttp/s)
  expect(() => configure({ apiKey: 'rt_test', baseUrl: 'http://retrace.example.com', allowInsecureHttp: true })).not.toThrow()
})

test('resumable functions register over the WebSocket, and a resume command from the server comes back as a linked fork', async () => {
  const retrace = await server()
  freshJournal()
  configure({ apiKey: 'rt_test', baseUrl: retrace.url })
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
  const support = record({ name: 'support-agent', resumable: true }, async (question: string) => {
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] })
    const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${question} (again)` }] })
    return `${first.choices[0]?.message.content} / ${second.choices[0]?.message.content}`
  })
  await retrace.waitFor((current) => current.registrations.some((message) => message.resumable.includes('support-agent')))

  await support('Where is my order?')
  const parent = support.lastTrace!
  await flush()
  const callsBefore = provider.requestCount
  expect(retrace.sendResume({ forkId: 'fork-7', traceId: parent.id, forkPointStep: 2, modifiedInput: 'Where is my order #42?' })).toBe(1)

  await retrace.waitFor((current) => [...current.traces().values()].some((trace) => trace.start?.forkId === 'fork-7' && trace.end !== undefined), 10_000)
  const fork = [...retrace.traces().values()].find((trace) => trace.start?.forkId === 'fork-7')!
  expect(fork.start).toMatchObject({ forkOf: parent.id, forkPointStep: 2, input: ['Where is my order #42?'] })
  expect(fork.end?.status).toBe('completed')
  // Step 1 came from the recording: only step 2 reached the provider.
  expect(provider.requestCount).toBe(callsBefore + 1)
}, 20_000)
