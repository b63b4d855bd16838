import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { configure } from './configure.ts'
import { RetraceEnforcementError } from './enforcement/retrace-enforcement-error.ts'
import type { WireEvent, WireSpan } from '@retrace/protocol'
import { record, lastTrace } from './record.ts'
import { runtime } from './runtime.ts'
import { agent, span, tool } from './span.ts'
import { memoryTransport, type MemoryTransport } from './testing/memory-transport.ts'
import { failOnUnhandledRejections } from '../../../test-support/unhandled-rejections.ts'

failOnUnhandledRejections()

let provider: FakeProvider
let transport: MemoryTransport

beforeAll(async () => {
  provider = await startFakeProvider()
})
afterAll(async () => {
  await provider.stop()
})
beforeEach(() => {
  transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_test_key', baseUrl: 'http://127.0.0.1:1' })
})
afterEach(() => {
  runtime().setTransportFactory(undefined)
  configure({})
})

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
const weatherTool: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }
const spansOf = (events: WireEvent[], traceId: string): WireSpan[] => events.flatMap((event) => (event.type === 'span' && event.span.traceId === traceId ? [event.span] : []))

async function weatherLoop(question: string, getWeather: (args: { city: string }) => Promise<unknown> | unknown = ({ city }) => ({ city, sky: 'sunny' })) {
  const client = openai()
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: question }]
  for (let turn = 0; turn < 4; turn++) {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [weatherTool] })
    const message = completion.choices[0]!.message
    messages.push(message)
    if (!message.tool_calls?.length) return message.content
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(await getWeather(JSON.parse(call.function.arguments))) })
    }
  }
  return 'no answer'
}

describe('record()', () => {
  test('a run is a trace: start, a span tree with LLM steps and tool calls, and an end with totals', async () => {
    const runAgent = record({ name: 'weather', sessionId: 'chat-1', tags: ['demo'] }, (question: string) => span('plan', () => weatherLoop(question)))
    const answer = await runAgent('What is the weather in Paris?')
    expect(answer).toMatch(/^Based on get_weather/)
    const trace = runAgent.lastTrace!
    expect(trace.status).toBe('completed')
    const [start, ...rest] = transport.events
    expect(start).toMatchObject({ type: 'trace.start', trace: { id: trace.id, name: 'weather', sessionId: 'chat-1', tags: ['demo'], input: ['What is the weather in Paris?'] } })
    const end = rest.at(-1)!
    expect(end).toMatchObject({ type: 'trace.end', trace: { status: 'completed', output: answer } })
    const spans = spansOf(transport.events, trace.id)
    const plan = spans.find((s) => s.name === 'plan')!
    const llm = spans.filter((s) => s.kind === 'llm')
    expect(llm).toHaveLength(2)
    expect(llm.every((s) => s.parentId === plan.id)).toBe(true)
    expect(llm[0]!.step).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: expect.any(Number) } })
    // The tool was not wrapped: its call and result are read from the provider messages.
    const toolSpan = spans.find((s) => s.kind === 'tool')!
    expect(toolSpan).toMatchObject({ name: 'get_weather', input: { city: 'Paris' }, output: '{"city":"Paris","sky":"sunny"}', parentId: llm[0]!.id })
    const totals = (end as Extract<WireEvent, { type: 'trace.end' }>).trace.totals
    expect(totals.inputTokens).toBe(trace.totals.inputTokens)
    expect(totals.usd).toBeGreaterThan(0)
    expect(trace.interactions).toHaveLength(2)
    expect(lastTrace()).toBe(trace)
  })

  test('a tool wrapped with tool() is one span, never reported twice', async () => {
    const getWeather = tool('get_weather', async ({ city }: { city: string }) => ({ city, sky: 'rain' }))
    const runAgent = record({ name: 'wrapped' }, (question: string) => weatherLoop(question, getWeather))
    await runAgent('What is the weather in Oslo?')
    const tools = spansOf(transport.events, runAgent.lastTrace!.id).filter((s) => s.kind === 'tool')
    expect(tools).toHaveLength(1)
    expect(tools[0]).toMatchObject({ name: 'get_weather', input: { city: 'Oslo' }, output: { city: 'Oslo', sky: 'rain' }, toolCallId: expect.stringMatching(/^call_/) })
  })

  test('agents tag every span inside, with their parent agent', async () => {
    const run = record({ name: 'team' }, () =>
      agent('planner', { role: 'plan' }, () => agent('researcher', { role: 'research' }, () => span('search', () => 42))),
    )
    expect(run()).toBe(42)
    const spans = spansOf(transport.events, run.lastTrace!.id)
    expect(spans.find((s) => s.name === 'search')!.agent).toEqual({ id: 'researcher', role: 'research', parentId: 'planner' })
    expect(spans.find((s) => s.kind === 'agent' && s.name === 'researcher')!.agent).toEqual({ id: 'researcher', role: 'research', parentId: 'planner' })
  })

  test('concurrent runs never mix their spans', async () => {
    const runAgent = record({ name: 'concurrent' }, (question: string) => weatherLoop(question))
    const traces: string[] = []
    await Promise.all(
      ['Paris', 'Rome', 'Lisbon'].map(async (city) => {
        await runAgent(`What is the weather in ${city}?`)
      }),
    )
    for (const event of transport.events) if (event.type === 'trace.start') traces.push(event.trace.id)
    expect(traces).toHaveLength(3)
    for (const id of traces) {
      const llm = spansOf(transport.events, id).filter((s) => s.kind === 'llm')
      expect(llm).toHaveLength(2)
      const city = JSON.stringify(llm[0]!.step!.input)
      // Every LLM call of a trace is about that trace's own city.
      expect(llm.every((s) => JSON.stringify(s.step!.input).includes(city.match(/Paris|Rome|Lisbon/)![0]))).toBe(true)
    }
  })

  test('errors: the trace fails with the error type and message, and the error reaches the caller unchanged', async () => {
    class BookingError extends Error {
      override name = 'BookingError'
    }
    const run = record({ name: 'fails' }, async () => {
      throw new BookingError('no seats left')
    })
    await expect(run()).rejects.toBeInstanceOf(BookingError)
    expect(transport.events.at(-1)).toMatchObject({ type: 'trace.end', trace: { status: 'failed', error: { type: 'BookingError', message: 'no seats left' } } })
  })

  test('values JSON cannot hold are kept visibly, and a payload past the cap marks the span truncated', async () => {
    configure({ apiKey: 'rt_test_key', baseUrl: 'http://127.0.0.1:1', maxPayloadChars: 100 })
    const cyclic: Record<string, unknown> = { id: 10n }
    cyclic.self = cyclic
    const run = record({ name: 'odd values' }, (value: unknown) => span('big', () => 'x'.repeat(500)) && value)
    run(cyclic)
    expect(transport.events[0]).toMatchObject({ trace: { input: [{ id: '10n', self: '[Circular]' }] } })
    const big = spansOf(transport.events, run.lastTrace!.id).find((s) => s.name === 'big')!
    expect(big.truncated).toBe(true)
    expect((big.output as string).length).toBe(100)
  })

  test('without an API key, or with RETRACE_ENABLED=false, nothing is sent and nothing fails', async () => {
    configure({})
    const run = record({ name: 'quiet' }, (question: string) => weatherLoop(question))
    expect(await run('What is the weather in Nice?')).toMatch(/^Based on/)
    configure({ apiKey: 'rt_test_key', enabled: false })
    expect(await run('What is the weather in Nice?')).toMatch(/^Based on/)
    expect(transport.events).toEqual([])
  })

  test('sampled-out runs send nothing but still work', async () => {
    configure({ apiKey: 'rt_test_key', sampleRate: 0 })
    const run = record({ name: 'unsampled' }, () => 'done')
    expect(run()).toBe('done')
    expect(transport.events).toEqual([])
  })
})

describe('enforcement', () => {
  test('the step ceiling blocks the next LLM call, through the SDK, with the reason', async () => {
    configure({ apiKey: 'rt_test_key', maxStepsPerRun: 1 })
    const run = record({ name: 'steps' }, (question: string) => weatherLoop(question))
    const calls = provider.requestCount
    const error = await run('What is the weather in Paris?').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetraceEnforcementError)
    expect((error as RetraceEnforcementError).verdict).toBe('block')
    expect((error as RetraceEnforcementError).reason).toMatch(/step ceiling reached: the run already made 1 LLM call\(s\); maxStepsPerRun is 1, so call 2 would be 1 over/)
    expect(provider.requestCount).toBe(calls + 1)
  })

  test('token and USD ceilings say by how much', async () => {
    configure({ apiKey: 'rt_test_key', maxTokensPerRun: 10 })
    const tokens = await record({ name: 'tokens' }, (q: string) => weatherLoop(q))('What is the weather in Rome?').catch((e: unknown) => e)
    expect((tokens as RetraceEnforcementError).ceiling).toBe('tokens')
    expect((tokens as RetraceEnforcementError).reason).toMatch(/token ceiling reached: \d+ tokens used, maxTokensPerRun is 10 \(over by \d+\)/)
    configure({ apiKey: 'rt_test_key', maxUsdPerRun: 0.000001 })
    const usd = await record({ name: 'usd' }, (q: string) => weatherLoop(q))('What is the weather in Rome?').catch((e: unknown) => e)
    expect((usd as RetraceEnforcementError).reason).toMatch(/USD ceiling reached: \$0\.\d+ spent, maxUsdPerRun is \$0\.000001/)
  })

  test('the loop rule blocks the same tool with the same arguments asked again and again', async () => {
    configure({ apiKey: 'rt_test_key', loopLimit: 2 })
    const looping = record({ name: 'loop' }, async () => {
      const client = openai()
      // The fake provider asks for the tool again on every fresh question: a loop.
      for (let i = 0; i < 5; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool] })
    })
    const error = await looping().catch((e: unknown) => e)
    expect((error as RetraceEnforcementError).ceiling).toBe('loop')
    expect((error as RetraceEnforcementError).reason).toContain('get_weather({"city":"Paris"}) 2 times')
  })

  test('server enforcement asks the policy and blocks on its verdict; unreachable means local rules only', async () => {
    configure({ apiKey: 'rt_test_key', serverEnforcement: true })
    transport.policy = { verdict: 'block', reason: 'project budget exhausted' }
    const blocked = await record({ name: 'policy' }, (q: string) => weatherLoop(q))('What is the weather in Rome?').catch((e: unknown) => e)
    expect(blocked).toBeInstanceOf(RetraceEnforcementError)
    expect((blocked as RetraceEnforcementError).reason).toBe('project budget exhausted')
    expect(transport.policyChecks[0]).toMatchObject({ name: 'policy', totals: { steps: 0 } })
    transport.policy = undefined
    expect(await record({ name: 'policy' }, (q: string) => weatherLoop(q))('What is the weather in Rome?')).toMatch(/^Based on/)
  })
})
