import OpenAI from 'openai'
import type { FunctionTool, ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { startFakeProvider, type FakeProvider } from './index.ts'

let provider: FakeProvider
let openai: OpenAI

beforeAll(async () => {
  provider = await startFakeProvider()
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
})
afterAll(() => provider.stop())

const tools: FunctionTool[] = [
  {
    type: 'function',
    name: 'lookup_order',
    description: 'Find an order',
    strict: false,
    parameters: {
      type: 'object',
      properties: { order_id: { type: 'integer' }, express: { type: 'boolean' }, tags: { type: 'array' } },
      required: ['order_id'],
    },
  },
  {
    type: 'function',
    name: 'send_email',
    strict: false,
    parameters: { type: 'object', properties: { to: { type: 'string' } } },
  },
]

function functionCalls(response: OpenAI.Responses.Response): { callId: string; name: string; args: unknown }[] {
  return response.output.flatMap((item) =>
    item.type === 'function_call' ? [{ callId: item.call_id, name: item.name, args: JSON.parse(item.arguments) }] : [],
  )
}

test('JSON: text output with usage and status', async () => {
  const response = await openai.responses.create({
    model: 'gpt-4.1-mini',
    instructions: 'Be brief.',
    input: 'Hello Responses',
  })
  expect(response.output_text).toBe('You said: Hello Responses')
  expect(response.id).toMatch(/^resp_/)
  expect(response.status).toBe('completed')
  expect(response.instructions).toBe('Be brief.')
  expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', id: expect.stringMatching(/^msg_/) })
  expect(response.usage).toMatchObject({
    input_tokens: expect.any(Number),
    output_tokens: Math.ceil('You said: Hello Responses'.length / 4),
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  })
  expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0))
})

test('JSON: two-turn tool loop with function_call_output items', async () => {
  const input: ResponseInputItem[] = [{ role: 'user', content: 'Please lookup order 42 for Alice' }]
  const first = await openai.responses.create({ model: 'gpt-4.1-mini', input, tools })
  const calls = functionCalls(first)
  expect(calls.map((call) => [call.name, call.args])).toEqual([
    ['lookup_order', { order_id: 42, express: true, tags: [] }],
  ])
  expect(calls[0]?.callId).toMatch(/^call_/)
  expect(first.output[0]?.id).toMatch(/^fc_/)

  input.push(...first.output.filter((item) => item.type === 'function_call'), { type: 'function_call_output', call_id: calls[0]!.callId, output: '{"status": "shipped"}' })
  const second = await openai.responses.create({ model: 'gpt-4.1-mini', input, tools })
  expect(second.output_text).toBe('Based on lookup_order: {"status":"shipped"}')
  expect(functionCalls(second)).toEqual([])
})

test('SSE: the real event sequence, with sequence numbers, through responses.stream()', async () => {
  const stream = openai.responses.stream({ model: 'gpt-4.1-mini', input: 'Stream me' })
  const events: ResponseStreamEvent[] = []
  for await (const event of stream) events.push(event)
  const response = await stream.finalResponse()

  expect(events.map((event) => event.type)).toEqual([
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
    'response.output_text.delta',
    'response.output_text.delta',
    'response.output_text.delta',
    'response.output_text.delta',
    'response.output_text.done',
    'response.content_part.done',
    'response.output_item.done',
    'response.completed',
  ])
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index))
  expect(response.output_text).toBe('You said: Stream me')
  expect(response.usage?.output_tokens).toBeGreaterThan(0)
})

test('SSE: parallel function calls stream their arguments', async () => {
  const stream = await openai.responses.create({
    model: 'gpt-4.1-mini',
    input: [{ role: 'user', content: 'send email to Bob, then lookup order 7' }],
    tools,
    stream: true,
  })
  const argumentDeltas: string[] = []
  let completed: OpenAI.Responses.Response | undefined
  for await (const event of stream) {
    if (event.type === 'response.function_call_arguments.delta') argumentDeltas.push(event.delta)
    if (event.type === 'response.completed') completed = event.response
  }
  expect(completed && functionCalls(completed).map((call) => [call.name, call.args])).toEqual([
    ['send_email', { to: 'Bob' }],
    ['lookup_order', { order_id: 7, express: true, tags: [] }],
  ])
  expect(argumentDeltas.join('')).toBe('{"to":"Bob"}{"order_id":7,"express":true,"tags":[]}')
})

test('SSE: function calls through the stream helper finalResponse()', async () => {
  const response = await openai.responses
    .stream({ model: 'gpt-4.1-mini', input: 'lookup_order 9', tools })
    .finalResponse()
  expect(functionCalls(response).map((call) => call.args)).toEqual([{ order_id: 9, express: true, tags: [] }])
  expect(response.usage?.input_tokens).toBeGreaterThan(0)
})

test('the abort-after fault surfaces as an error in the stream helper', async () => {
  const stream = openai.responses.stream({ model: 'gpt-4.1-mini', input: 'Long answer [[fake:abort-after-3]]' })
  await expect(stream.finalResponse()).rejects.toThrow(/terminated/)
})

test('volatile ids differ between two identical requests', async () => {
  const request = { model: 'gpt-4.1-mini', input: 'lookup_order 1', tools }
  const [first, second] = await Promise.all([openai.responses.create(request), openai.responses.create(request)])
  expect(first.id).not.toBe(second.id)
  expect(first.output[0]?.id).not.toBe(second.output[0]?.id)
  expect(functionCalls(first)[0]?.callId).not.toBe(functionCalls(second)[0]?.callId)
  expect(functionCalls(first)[0]?.args).toEqual(functionCalls(second)[0]?.args)
})

test('a scripted max_output_tokens finish ends the response as incomplete', async () => {
  const scripted = await startFakeProvider({ respond: () => ({ text: 'Cut sho', finishReason: 'max_output_tokens' }) })
  try {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: scripted.openaiBaseURL, maxRetries: 0 })
    const json = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Write a lot' })
    expect(json).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })

    const events: string[] = []
    const stream = client.responses.stream({ model: 'gpt-4.1-mini', input: 'Write a lot' })
    stream.on('event', (event) => events.push(event.type))
    const streamed = await stream.finalResponse()
    expect(streamed).toMatchObject({ status: 'incomplete', output_text: 'Cut sho' })
    expect(events.at(-1)).toBe('response.incomplete')
  } finally {
    await scripted.stop()
  }
})
