import OpenAI from 'openai'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import { configure } from '../configure.ts'
import type { WireEvent } from '@retrace/protocol'
import { record } from '../record.ts'
import { runtime } from '../runtime.ts'
import { tool } from '../span.ts'
import { memoryTransport } from '../testing/memory-transport.ts'

let provider: FakeProvider
beforeAll(async () => {
  provider = await startFakeProvider()
})
afterAll(async () => {
  runtime().setTransportFactory(undefined)
  configure({})
  await provider.stop()
})

test('a resume command re-runs the function as a linked fork: the prefix is replayed, with no provider call and no repeated side effect', async () => {
  const transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_test_key' })
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
  let emailsSent = 0
  const sendEmail = tool('send_email', async ({ to }: { to: string }) => {
    emailsSent++
    return { sent: true, to }
  })
  const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'send_email', parameters: { type: 'object', properties: { to: { type: 'string' } } } } }]
  const assistant = record({ name: 'assistant', resumable: true }, async (request: string) => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: request }]
    for (let turn = 0; turn < 3; turn++) {
      const message = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })).choices[0]!.message
      messages.push(message)
      if (!message.tool_calls?.length) return message.content
      for (const call of message.tool_calls) {
        if (call.type === 'function') messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(await sendEmail(JSON.parse(call.function.arguments))) })
      }
    }
    return 'no answer'
  })

  await assistant('Email the report to Alice')
  const parent = assistant.lastTrace!
  expect(emailsSent).toBe(1)
  const calls = provider.requestCount

  // Fork at step 2: step 1 (the model asking to email Alice) and the email itself come from
  // the recording; step 2 runs live with the new input.
  transport.deliver({ type: 'resume', forkId: 'fork-1', traceId: parent.id, forkPointStep: 2, modifiedInput: 'Email the report to Alice, politely' })
  const fork = await waitFor(() => transport.events.find((event): event is Extract<WireEvent, { type: 'trace.end' }> => event.type === 'trace.end' && event.trace.id !== parent.id))
  const start = transport.events.find((event) => event.type === 'trace.start' && event.trace.id === fork.trace.id)
  expect(start).toMatchObject({ trace: { name: 'assistant', forkOf: parent.id, forkPointStep: 2, forkId: 'fork-1', input: ['Email the report to Alice, politely'] } })
  expect(fork.trace.status).toBe('completed')
  expect(provider.requestCount).toBe(calls + 1)
  expect(emailsSent).toBe(1)
  const forkSpans = transport.events.flatMap((event) => (event.type === 'span' && event.span.traceId === fork.trace.id ? [event.span] : []))
  expect(forkSpans.find((span) => span.kind === 'tool')).toMatchObject({ name: 'send_email', metadata: { replayed: true } })
  expect(forkSpans.filter((span) => span.kind === 'llm')).toHaveLength(2)
})

/** The email agent of the first test, with a second argument (the signature) kept by forks. */
function emailAgent(name: string, counters: { emails: number }) {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
  const sendEmail = tool('send_email', async ({ to }: { to: string }) => {
    counters.emails++
    return { sent: true, to }
  })
  const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'send_email', parameters: { type: 'object', properties: { to: { type: 'string' } } } } }]
  return record({ name, resumable: true }, async (request: string, signature: string) => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: request }]
    for (let turn = 0; turn < 3; turn++) {
      const message = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })).choices[0]!.message
      messages.push(message)
      if (!message.tool_calls?.length) return `${message.content} — ${signature}`
      for (const call of message.tool_calls) {
        if (call.type === 'function') messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(await sendEmail(JSON.parse(call.function.arguments))) })
      }
    }
    return 'no answer'
  })
}

const forkEnd = (transport: ReturnType<typeof memoryTransport>, forkId: string) =>
  waitFor(() => {
    const start = transport.events.find((event): event is Extract<WireEvent, { type: 'trace.start' }> => event.type === 'trace.start' && event.trace.forkId === forkId)
    const end = start && transport.events.find((event): event is Extract<WireEvent, { type: 'trace.end' }> => event.type === 'trace.end' && event.trace.id === start.trace.id)
    return end && { start, end, spans: transport.events.flatMap((event) => (event.type === 'span' && event.span.traceId === start.trace.id ? [event.span] : [])) }
  })

test('a run this process no longer holds is resumed from the command: its cassette, original arguments and recorded tool results', async () => {
  const transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_test_key' })
  const counters = { emails: 0 }
  const assistant = emailAgent('remote-assistant', counters)
  await assistant('Email the report to Alice', 'Bob')
  const parent = assistant.lastTrace!
  const sent = transport.events.flatMap((event) => (event.type === 'span' && event.span.traceId === parent.id ? [event.span] : []))
  // What a server rebuilds from the spans it stored: the interactions in step order, the tool() calls in order.
  const cassette = { version: 1, interactions: sent.filter((span) => span.interaction).sort((a, b) => a.forkPoint!.step - b.forkPoint!.step).map((span) => span.interaction) }
  const recordedTools = sent.filter((span) => span.forkPoint?.toolCall !== undefined && span.kind === 'tool').map((span) => ({ name: span.name, input: span.input, output: span.output }))
  expect(cassette.interactions).toHaveLength(2)
  runtime().recentTraces.clear()
  const calls = provider.requestCount

  transport.deliver({ type: 'resume', forkId: 'remote-1', traceId: parent.id, name: 'remote-assistant', forkPointStep: 2, modifiedInput: 'Email the report to Alice, politely', cassette, originalArgs: ['Email the report to Alice', 'Bob'], recordedTools })
  const fork = await forkEnd(transport, 'remote-1')
  expect(fork.start.trace).toMatchObject({ forkOf: parent.id, forkPointStep: 2, input: ['Email the report to Alice, politely', 'Bob'] })
  expect(fork.end.trace).toMatchObject({ status: 'completed', output: expect.stringMatching(/ — Bob$/) })
  expect(provider.requestCount).toBe(calls + 1)
  expect(counters.emails).toBe(1)
  expect(fork.spans.filter((span) => span.kind === 'llm').map((span) => span.metadata?.replayed ?? false)).toEqual([true, false])
})

test('a fork at a tool call (forkPointToolCall) runs that tool live, though the step that asked for it is replayed', async () => {
  const transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_test_key' })
  const counters = { emails: 0 }
  const assistant = emailAgent('tool-fork-assistant', counters)
  await assistant('Email the report to Alice', 'Bob')
  const calls = provider.requestCount
  transport.deliver({ type: 'resume', forkId: 'tool-1', traceId: assistant.lastTrace!.id, forkPointStep: 2, forkPointToolCall: 1, modifiedInput: 'Email the report to Alice' })
  const fork = await forkEnd(transport, 'tool-1')
  expect(fork.end.trace.status).toBe('completed')
  expect(counters.emails).toBe(2)
  expect(provider.requestCount).toBe(calls + 1)
  expect(fork.spans.find((span) => span.kind === 'tool')!.metadata?.replayed).toBeUndefined()
})

test('a resume command for a function this process does not have is reported as a failed fork trace, not thrown', async () => {
  const transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_test_key' })
  record({ name: 'present', resumable: true }, () => 1)
  transport.deliver({ type: 'resume', forkId: 'missing-1', traceId: 'gone', name: 'absent', forkPointStep: 1, modifiedInput: 'x' })
  const fork = await forkEnd(transport, 'missing-1')
  expect(fork.start.trace).toMatchObject({ name: 'absent', forkOf: 'gone', forkId: 'missing-1' })
  expect(fork.end.trace).toMatchObject({ status: 'failed', error: { type: 'RetraceResumeError', message: expect.stringContaining('no resumable function named "absent"') } })
})

test('a resume command sent twice (a restarted server cannot know it arrived) runs once', async () => {
  const transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_test_key' })
  let runs = 0
  const once = record({ name: 'once', resumable: true }, async (n: number) => {
    runs++
    return n
  })
  await once(0)
  const message = { type: 'resume' as const, forkId: 'twice-1', traceId: once.lastTrace!.id, forkPointStep: 1, modifiedInput: 1 }
  transport.deliver(message)
  transport.deliver(message)
  await forkEnd(transport, 'twice-1')
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(runs).toBe(2)
  expect(transport.events.filter((event) => event.type === 'trace.start' && event.trace.forkId === 'twice-1')).toHaveLength(1)
})

test('resumes beyond the process limit wait for a free slot', async () => {
  const transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_test_key' })
  let running = 0
  let peak = 0
  const slow = record({ name: 'slow', resumable: true }, async (n: number) => {
    peak = Math.max(peak, ++running)
    await new Promise((resolve) => setTimeout(resolve, 30))
    running--
    return n
  })
  await slow(0)
  runtime().resumes.limit = 2
  try {
    for (let i = 1; i <= 5; i++) transport.deliver({ type: 'resume', forkId: `slot-${i}`, traceId: slow.lastTrace!.id, forkPointStep: 1, modifiedInput: i })
    for (let i = 1; i <= 5; i++) expect((await forkEnd(transport, `slot-${i}`)).end.trace.output).toBe(i)
    expect(peak).toBe(2)
  } finally {
    runtime().resumes.limit = Number.POSITIVE_INFINITY
  }
})

test('a resume command for a function this process does not have is reported, not thrown', async () => {
  const transport = memoryTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_test_key' })
  record({ name: 'present', resumable: true }, () => 1)
  const warnings: string[] = []
  const onWarning = (warning: Error) => warnings.push(warning.message)
  process.on('warning', onWarning)
  transport.deliver({ type: 'resume', forkId: 'f', traceId: 'unknown-trace', name: 'absent', forkPointStep: 1, modifiedInput: 'x' })
  await waitFor(() => warnings.length > 0 || undefined)
  process.off('warning', onWarning)
  expect(warnings[0]).toContain('no resumable function named "absent"')
})

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
