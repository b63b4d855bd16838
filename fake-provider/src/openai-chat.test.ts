import OpenAI from 'openai'
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { startFakeProvider, type FakeProvider } from './index.ts'

let provider: FakeProvider
let openai: OpenAI

beforeAll(async () => {
  provider = await startFakeProvider()
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
})
afterAll(() => provider.stop())

const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: { unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, city: { type: 'string' } },
        required: ['city'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      parameters: { type: 'object', properties: { city: { type: 'string' }, offset: { type: 'number' } } },
    },
  },
]

function functionCalls(message: OpenAI.Chat.ChatCompletionMessage): { id: string; name: string; args: unknown }[] {
  return (message.tool_calls ?? []).flatMap((call) =>
    call.type === 'function' ? [{ id: call.id, name: call.function.name, args: JSON.parse(call.function.arguments) }] : [],
  )
}

test('JSON: echoes the last user message with usage and finish reason', async () => {
  provider.reset()
  const completion = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello there' },
    ],
  })
  const choice = completion.choices[0]
  expect(choice?.message.content).toBe('You said: Hello there')
  expect(choice?.finish_reason).toBe('stop')
  expect(completion.id).toMatch(/^chatcmpl-/)
  expect(completion.system_fingerprint).toMatch(/^fp_/)
  expect(completion.service_tier).toBe('default')
  const requestBody = JSON.stringify(provider.requests[0]?.body)
  expect(completion.usage).toMatchObject({
    prompt_tokens: Math.ceil(requestBody.length / 4),
    completion_tokens: Math.ceil('You said: Hello there'.length / 4),
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  })
  expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0))
})

test('JSON: parallel tool calls in order of mention, arguments from the schema', async () => {
  const { data: completion, response } = await openai.chat.completions
    .create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Call get_time and then get weather for Paris, offset 2' }],
      tools,
    })
    .withResponse()
  expect(response.headers.get('x-request-id')).toMatch(/^req_/)
  expect(response.headers.get('openai-processing-ms')).toMatch(/^\d+$/)
  const choice = completion.choices[0]
  expect(choice?.finish_reason).toBe('tool_calls')
  expect(choice?.message.content).toBeNull()
  const calls = functionCalls(choice!.message)
  expect(calls.map((call) => [call.name, call.args])).toEqual([
    ['get_time', { city: 'Paris', offset: 2 }],
    ['get_weather', { city: 'Paris', unit: 'celsius' }],
  ])
  expect(calls[0]?.id).toMatch(/^call_/)
  expect(calls[0]?.id).not.toBe(calls[1]?.id)
})

test('two-turn tool loop: tool call, tool result, final answer', async () => {
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Oslo?' }]
  const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
  const assistant = first.choices[0]!.message
  const [call] = functionCalls(assistant)
  expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Oslo' } })

  messages.push(assistant, { role: 'tool', tool_call_id: call!.id, content: JSON.stringify({ temp: 21, sky: 'clear' }, null, 2) })
  const second = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
  expect(second.choices[0]?.message.content).toBe('Based on get_weather: {"temp":21,"sky":"clear"}')
  expect(second.choices[0]?.finish_reason).toBe('stop')
})

test('SSE without include_usage: word deltas, role first, no usage anywhere', async () => {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Stream this please' }],
    stream: true,
  })
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = []
  for await (const chunk of stream) chunks.push(chunk)

  expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant')
  expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('You said: Stream this please')
  expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(5)
  expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop')
  expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true)
  expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1)
})

test('SSE with include_usage: usage null on every chunk, then a usage-only chunk', async () => {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Count tokens' }],
    stream: true,
    stream_options: { include_usage: true },
  })
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = []
  for await (const chunk of stream) chunks.push(chunk)

  const last = chunks.at(-1)
  expect(last?.choices).toEqual([])
  expect(last?.usage?.completion_tokens).toBeGreaterThan(0)
  expect(last?.usage?.prompt_tokens).toBeGreaterThan(0)
  expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true)
  expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop')
})

test('SSE tool calls through the chat.completions.stream() helper', async () => {
  const runner = openai.chat.completions.stream({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'get_weather and get_time for Rome' }],
    tools,
    stream_options: { include_usage: true },
  })
  const argumentDeltas: string[] = []
  runner.on('tool_calls.function.arguments.delta', (event) => argumentDeltas.push(event.arguments_delta))
  const completion = await runner.finalChatCompletion()

  const choice = completion.choices[0]
  expect(choice?.finish_reason).toBe('tool_calls')
  expect(functionCalls(choice!.message).map((call) => [call.name, call.args])).toEqual([
    ['get_weather', { city: 'Rome', unit: 'celsius' }],
    ['get_time', { city: 'Rome', offset: 1 }],
  ])
  expect(argumentDeltas.length).toBeGreaterThanOrEqual(4)
  expect(completion.usage?.total_tokens).toBeGreaterThan(0)
})

test('SSE text with a scripted reply through the stream helper', async () => {
  const scripted = await startFakeProvider({ respond: () => ({ text: 'Scripted answer', finishReason: 'length' }) })
  try {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: scripted.openaiBaseURL, maxRetries: 0 })
    const completion = await client.chat.completions
      .stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'anything' }] })
      .finalChatCompletion()
    expect(completion.choices[0]?.message.content).toBe('Scripted answer')
    expect(completion.choices[0]?.finish_reason).toBe('length')
  } finally {
    await scripted.stop()
  }
})

test('volatile ids differ between two identical requests', async () => {
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'get_weather in Lima' }], tools }
  const [first, second] = await Promise.all([openai.chat.completions.create(request), openai.chat.completions.create(request)])
  expect(first.id).not.toBe(second.id)
  expect(first.system_fingerprint).not.toBe(second.system_fingerprint)
  expect(functionCalls(first.choices[0]!.message)[0]?.id).not.toBe(functionCalls(second.choices[0]!.message)[0]?.id)
  expect(first.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && call.function.arguments)).toEqual(
    second.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && call.function.arguments),
  )
})

test('the abort-after fault surfaces as an error while iterating the stream', async () => {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Tell me a long story [[fake:abort-after-3]]' }],
    stream: true,
  })
  const received: string[] = []
  const iterate = async (): Promise<void> => {
    for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '')
  }
  await expect(iterate()).rejects.toThrow(/terminated/)
  expect(received).toHaveLength(3)
})

test('status faults: 429 with retry-after, 500, in the OpenAI error shape', async () => {
  const rateLimited = await openai.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi [[fake:status-429]]' }] })
    .catch((error: unknown) => error)
  expect(rateLimited).toBeInstanceOf(OpenAI.RateLimitError)
  expect(rateLimited).toMatchObject({ status: 429, type: 'requests', code: 'rate_limit_exceeded', param: null })
  expect((rateLimited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('0')

  const failing = openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi [[fake:status-500]]' }],
  })
  await expect(failing).rejects.toBeInstanceOf(OpenAI.InternalServerError)
})

test('400 in the OpenAI shape when messages are missing', async () => {
  // @ts-expect-error — deliberately invalid request
  const invalid = openai.chat.completions.create({ model: 'gpt-4o-mini' })
  await expect(invalid).rejects.toMatchObject({ status: 400, param: 'messages', code: 'missing_required_parameter' })
})
