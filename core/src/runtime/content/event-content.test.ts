import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { RetraceConfigError, type JsonValue, type RetraceError } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { resolveRuntimeConfig } from '../config/runtime-config.ts'
import { configure } from '../configure.ts'
import type { WireEvent, WireSpan } from '@retrace/protocol'
import { record } from '../record.ts'
import { runtime } from '../runtime.ts'
import { tool } from '../span.ts'
import { memoryTransport, type MemoryTransport } from '../testing/memory-transport.ts'
import type { MaskContext } from './content-mask.ts'
import { RetraceMaskError } from './retrace-mask-error.ts'

// configure({ mask }) and configure({ captureContent: false }) on real runs (the OpenAI SDK
// against the fake provider, events kept in memory).

let provider: FakeProvider
let transport: MemoryTransport
// Built at run time: a secret-shaped literal is never committed.
const STRIPE = 'sk' + '_live_' + 'FakeK3y0123456789abcdefXYZ'
const EMAIL = 'ada.lovelace@example.com'

beforeAll(async () => {
  provider = await startFakeProvider()
})
afterAll(() => provider.stop())
beforeEach(() => {
  transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
})
afterEach(() => {
  runtime().setTransportFactory(undefined)
  delete process.env.RETRACE_CAPTURE_CONTENT
  configure({})
})

const weatherTool: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }

/** A tool-calling run with an e-mail and a key in its input, tool result, error and metadata. */
const agent = (name = 'support-agent') =>
  record({ name, metadata: { customer: EMAIL } }, async (question: string) => {
    const client = new OpenAI({ apiKey: 'fake-key', baseURL: provider.openaiBaseURL, maxRetries: 0 })
    const getWeather = tool('get_weather', (args: { city: string }) => ({ city: args.city, sky: 'sunny', contact: EMAIL, key: STRIPE }))
    const audit = tool('audit', () => {
      throw new Error(`audit failed for ${EMAIL}`)
    })
    try {
      audit()
    } catch {
      // recorded on its span
    }
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: question }]
    for (let turn = 0; turn < 3; turn++) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [weatherTool] })
      const message = completion.choices[0]!.message
      messages.push(message)
      if (!message.tool_calls?.length) return `${message.content} (for ${EMAIL})`
      for (const call of message.tool_calls) {
        if (call.type === 'function') messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(getWeather(JSON.parse(call.function.arguments) as { city: string })) })
      }
    }
    return 'no answer'
  })

const spans = (events: WireEvent[]): WireSpan[] => events.flatMap((event) => (event.type === 'span' ? [event.span] : []))
const start = (events: WireEvent[]) => events.find((event) => event.type === 'trace.start')
const end = (events: WireEvent[]) => events.find((event) => event.type === 'trace.end')

/** A mask that throws (with the payload in its message) where `when` says; returns what onError got. */
function configureThrowingMask(when: (context: MaskContext) => boolean): RetraceError[] {
  const errors: RetraceError[] = []
  configure({
    apiKey: 'rt_test',
    onError: (error) => errors.push(error),
    mask: (value, context) => {
      if (when(context)) throw new Error(`cannot mask ${JSON.stringify(value)}`)
      return value
    },
  })
  return errors
}

describe('configure({ mask })', () => {
  test('runs on every payload before secret redaction, and what it returns is what is sent', async () => {
    const seen: Array<{ context: MaskContext; raw: string }> = []
    const mask = (value: JsonValue, context: MaskContext): JsonValue => {
      seen.push({ context, raw: JSON.stringify(value) })
      return JSON.parse(JSON.stringify(value).replaceAll(EMAIL, '<email>')) as JsonValue
    }
    configure({ apiKey: 'rt_test', mask })
    const answer = await agent()(`Weather in Paris? Reply to ${EMAIL}`)
    expect(answer).toContain(EMAIL)

    const sent = JSON.stringify(transport.events)
    expect(sent).not.toContain(EMAIL)
    expect(sent).toContain('<email>')
    // The mask saw the raw payload (the key too); redaction ran after it.
    expect(seen.some(({ raw }) => raw.includes(STRIPE))).toBe(true)
    expect(sent).not.toContain(STRIPE)
    expect(sent).toContain('[REDACTED:stripe-key]')
    const fields = new Set(seen.map(({ context }) => `${context.kind}.${context.field}`))
    for (const field of ['trace.input', 'trace.metadata', 'trace.output', 'span.input', 'span.output', 'span.error', 'span.step']) expect(fields).toContain(field)
    expect(seen.find(({ context }) => context.field === 'step')?.context).toMatchObject({ kind: 'span', spanKind: 'llm' })
  })

  test('a mask that throws never breaks the agent: that event is dropped, the trace marked lossy, the error sent to onError', async () => {
    const errors = configureThrowingMask((context) => context.kind === 'span' && context.name === 'get_weather')
    const answer = await agent()('Weather in Paris?')
    expect(answer).toContain('sunny')

    const sentSpans = spans(transport.events)
    expect(sentSpans.some((item) => item.name === 'get_weather')).toBe(false)
    expect(sentSpans.some((item) => item.kind === 'llm')).toBe(true)
    const ended = end(transport.events)
    expect(ended?.type === 'trace.end' && ended.trace.lossy).toBe(true)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]).toBeInstanceOf(RetraceMaskError)
    expect(errors[0]!.code).toBe('RETRACE_MASK_FAILED')
    expect(errors[0]!.message).toContain('span "get_weather"')
    expect(errors[0]!.message).not.toContain(STRIPE)
  })

  test("a mask that throws on the trace's own start and end: both still go out, without their content", async () => {
    const errors = configureThrowingMask((context) => context.kind === 'trace')
    await agent()('Weather in Paris?')
    const started = start(transport.events)
    const ended = end(transport.events)
    expect(started?.type === 'trace.start' && started.trace).toMatchObject({ name: 'support-agent' })
    expect(started?.type === 'trace.start' && (started.trace.input ?? started.trace.metadata)).toBeUndefined()
    expect(ended?.type === 'trace.end' && ended.trace).toMatchObject({ status: 'completed', lossy: true })
    expect(ended?.type === 'trace.end' && ended.trace.output).toBeUndefined()
    expect(errors.every((error) => error instanceof RetraceMaskError)).toBe(true)
    expect(JSON.stringify([started, ended])).not.toContain(EMAIL)
  })

  test('a mask that is not a function is a RetraceConfigError at configure()', () => {
    expect(() => configure({ mask: 'emails' as never })).toThrow(RetraceConfigError)
    expect(() => configure({ onError: 42 as never })).toThrow(/onError must be a function/)
  })
})

describe('configure({ captureContent: false })', () => {
  const checkNoContent = (events: WireEvent[]) => {
    const sent = JSON.stringify(events)
    expect(sent).not.toContain('Paris')
    expect(sent).not.toContain('sunny')
    expect(sent).not.toContain('audit failed')
    expect(sent).not.toContain(STRIPE)
    const started = start(events)
    const ended = end(events)
    expect(started?.type === 'trace.start' && started.trace.input).toBeUndefined()
    expect(ended?.type === 'trace.end' && ended.trace.output).toBeUndefined()
    // Structure, timings, usage and cost stay.
    expect(ended?.type === 'trace.end' && ended.trace.totals.inputTokens).toBeGreaterThan(0)
    const all = spans(events)
    expect(all.map((item) => item.kind).sort()).toEqual(['llm', 'llm', 'tool', 'tool'])
    for (const item of all) {
      expect(item.input).toBeUndefined()
      expect(item.output).toBeUndefined()
      expect(item.durationMs).toBeGreaterThanOrEqual(0)
    }
    expect(all.find((item) => item.status === 'error')?.error).toEqual({ type: 'Error', message: '' })
    const llm = all.find((item) => item.kind === 'llm' && item.step?.finishReason === 'tool_calls')!
    expect(llm.step).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: expect.any(Number) }, costUsd: expect.any(Number) })
    expect(llm.step!.input[0]).toEqual({ role: 'user', parts: [{ type: 'text', content: '' }] })
    expect(llm.step!.output).toEqual([expect.objectContaining({ type: 'tool_call', name: 'get_weather', arguments: null })])
    expect(llm.step!.tools).toEqual([{ name: 'get_weather' }])
  }

  test('sends structure, timings, usage and cost without any content', async () => {
    configure({ apiKey: 'rt_test', captureContent: false })
    expect(await agent()('Weather in Paris?')).toContain('sunny')
    checkNoContent(transport.events)
  })

  test('RETRACE_CAPTURE_CONTENT=false does the same', async () => {
    expect(resolveRuntimeConfig({}, { RETRACE_CAPTURE_CONTENT: 'false' }).captureContent).toBe(false)
    expect(resolveRuntimeConfig({}, {}).captureContent).toBe(true)
    process.env.RETRACE_CAPTURE_CONTENT = 'false'
    configure({ apiKey: 'rt_test' })
    await agent()('Weather in Paris?')
    checkNoContent(transport.events)
  })
})
