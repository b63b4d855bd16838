import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { agent, configure, extractStep, flush, lastTrace, record, shutdown, startCassette } from '@retrace/core'
import type { Cassette } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { startServer, type RetraceServer, type StartServerOptions } from '@retrace/server'

/** A server with recorded runs in it, for the browser tests and the benchmark. */
export interface SeededServer {
  server: RetraceServer
  url: string
  key: string
  provider: FakeProvider
  /** Trace ids: an SDK-recorded tool-using agent, a multi-agent run, a pushed cassette, a failed run. */
  traces: { weather: string; crew: string; cassette: string; failed: string }
  call<T = any>(path: string, init?: { method?: string; json?: unknown }): Promise<{ status: number; body: T }>
  close(): Promise<void>
}

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
}

/** The example agent's loop: ask, run the tools it calls, feed the results back, until it answers. */
export async function weatherLoop(openai: OpenAI, question: string): Promise<string> {
  const getWeather = async (city: string) => ({ city, temperatureC: city === 'Oslo' ? 7 : 18, sky: city === 'Oslo' ? 'rain' : 'sunny' })
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You answer weather questions. Use get_weather.' },
    { role: 'user', content: question },
  ]
  for (let turn = 0; turn < 4; turn++) {
    const message = (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [weatherTool] })).choices[0]!.message
    messages.push(message)
    if (!message.tool_calls?.length) return message.content ?? ''
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue
      const { city } = JSON.parse(call.function.arguments) as { city?: string }
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(await getWeather(city ?? 'Paris')) })
    }
  }
  throw new Error('no answer within 4 turns')
}

/**
 * Starts a server on a fresh embedded store and records into it, with the real SDK against
 * the fake provider: a tool-using agent, a three-agent run, a failed run, and a pushed
 * cassette with git metadata.
 *
 * @example
 * const seeded = await startSeededServer()
 * await page.goto(`${seeded.url}/traces/${seeded.traces.weather}`)
 */
export async function startSeededServer(options: Partial<StartServerOptions> = {}): Promise<SeededServer> {
  const folder = mkdtempSync(join(tmpdir(), 'retrace-dashboard-'))
  process.env.RETRACE_JOURNAL_DIR = join(folder, 'journal')
  const provider = await startFakeProvider()
  const server = await startServer({ port: 0, databaseUrl: `sqlite:${join(folder, 'retrace.db')}`, logLevel: 'warn', ...options })
  const key = server.firstStart!.apiKey
  const call: SeededServer['call'] = async (path, init = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: { 'x-retrace-key': key, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    })
    const text = await response.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON
    }
    return { status: response.status, body: body as any }
  }

  configure({ baseUrl: server.url, apiKey: key })
  const openai = () => new OpenAI({ apiKey: 'sk-test-not-a-key', baseURL: provider.openaiBaseURL, maxRetries: 0 })

  const weatherAgent = record({ name: 'weather-agent', sessionId: 'demo-session', tags: ['demo'], resumable: true }, (question: string) => weatherLoop(openai(), question))
  await weatherAgent('What is the weather in Paris?')
  const weather = lastTrace()!.id

  const ask = async (content: string) => (await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })).choices[0]!.message.content ?? ''
  const crewRun = record({ name: 'research-crew', sessionId: 'demo-session', tags: ['multi-agent'] }, (topic: string) =>
    agent('planner', { role: 'plan' }, async () => {
      const plan = await ask(`Plan a short report on ${topic}`)
      const facts = await agent('researcher', { role: 'research' }, () => weatherLoop(openai(), `What is the weather in ${topic}?`))
      const draft = await agent('writer', { role: 'write' }, () => ask(`Write two lines on ${topic} from: ${plan} ${facts}`))
      return agent('reviewer', { role: 'review' }, () => ask(`Review: ${draft}`))
    }),
  )
  await crewRun('Oslo')
  const crew = lastTrace()!.id

  const failing = record({ name: 'flaky-agent', tags: ['demo'] }, async (question: string) => {
    await ask(question)
    throw new Error('The booking API refused the request (HTTP 503).')
  })
  await failing('Book a table for two').catch(() => {})
  const failed = lastTrace()!.id
  await flush(10_000)
  await shutdown(5_000)
  configure({})

  // A cassette recorded by a test and pushed with its git metadata (what `retrace push` sends).
  const cassetteFile = join(folder, 'weather.cassette.json')
  const cassette = startCassette(cassetteFile, { mode: 'record' })
  await weatherLoop(new OpenAI({ apiKey: 'sk-test-not-a-key', baseURL: provider.openaiBaseURL, maxRetries: 0, fetch: cassette.fetch }), 'What is the weather in Rome?')
  await cassette.stop()
  const recorded = JSON.parse(readFileSync(cassetteFile, 'utf8')) as Cassette
  const pushed = await call('/api/v1/cassettes', {
    json: {
      cassette: recorded,
      // As `retrace push` sends it: the full step of each call (its messages too).
      steps: recorded.interactions.map((interaction) => extractStep(interaction) ?? null),
      name: 'agent.test.ts › answers with the weather in Rome',
      git: { repository: 'https://github.com/acme/weather-bot', branch: 'main', commit: '3f9c2a1b7e4d5c6f8a9b0c1d2e3f4a5b6c7d8e9f', testFile: 'agent.test.ts', testName: 'answers with the weather in Rome' },
    },
  })
  if (pushed.status >= 300) throw new Error(`cassette push failed: ${JSON.stringify(pushed.body)}`)

  for (const id of [weather, crew, failed]) await waitForTrace(call, id)
  return {
    server,
    url: server.url,
    key,
    provider,
    traces: { weather, crew, cassette: pushed.body.trace.id, failed },
    call,
    async close() {
      await server.close()
      await provider.stop()
      delete process.env.RETRACE_JOURNAL_DIR
    },
  }
}

/** Waits until the server holds the trace, ended. */
export async function waitForTrace(call: SeededServer['call'], traceId: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = await call(`/api/v1/traces/${encodeURIComponent(traceId)}`)
    if (answer.status === 200 && answer.body.trace.status !== 'running') return
    if (Date.now() > deadline) throw new Error(`trace ${traceId} did not arrive: ${JSON.stringify(answer.body).slice(0, 300)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
