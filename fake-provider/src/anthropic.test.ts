import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { startFakeProvider, type FakeProvider } from './index.ts'

let provider: FakeProvider
let anthropic: Anthropic

beforeAll(async () => {
  provider = await startFakeProvider()
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: provider.anthropicBaseURL, maxRetries: 0 })
})
afterAll(() => provider.stop())

const tools: Anthropic.Tool[] = [
  {
    name: 'get_stock_price',
    description: 'Latest price of a ticker',
    input_schema: { type: 'object', properties: { ticker: { type: 'string' }, days: { type: 'number' } }, required: ['ticker'] },
  },
  { name: 'get_news', input_schema: { type: 'object', properties: { topic: { type: 'string' } } } },
]

function toolUses(message: Anthropic.Message): Anthropic.ToolUseBlock[] {
  return message.content.filter((block) => block.type === 'tool_use')
}

test('JSON: text reply, system prompt, usage and stop reason', async () => {
  const { data: message, response } = await anthropic.messages
    .create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [{ role: 'user', content: 'Hello Claude' }],
    })
    .withResponse()
  expect(response.headers.get('request-id')).toMatch(/^req_/)
  expect(message.id).toMatch(/^msg_/)
  expect(message.content).toEqual([{ type: 'text', text: 'You said: Hello Claude' }])
  expect(message.stop_reason).toBe('end_turn')
  expect(message.usage).toMatchObject({
    input_tokens: expect.any(Number),
    output_tokens: Math.ceil('You said: Hello Claude'.length / 4),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  })
})

test('JSON: two-turn tool loop with tool_result blocks', async () => {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'What does get_stock_price say for NVDA over 5 days?' }]
  const first = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, messages, tools })
  expect(first.stop_reason).toBe('tool_use')
  const [toolUse] = toolUses(first)
  expect(toolUse).toMatchObject({ name: 'get_stock_price', input: { ticker: 'NVDA', days: 5 } })
  expect(toolUse?.id).toMatch(/^toolu_/)

  messages.push(
    { role: 'assistant', content: first.content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.id, content: [{ type: 'text', text: '{"price": 181.2}' }] }] },
  )
  const second = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, messages, tools })
  expect(second.content).toEqual([{ type: 'text', text: 'Based on get_stock_price: {"price":181.2}' }])
  expect(second.stop_reason).toBe('end_turn')
})

test('SSE: raw events in the real order, text deltas concatenate to the text', async () => {
  const stream = await anthropic.messages.create({
    model: 'claude-haiku-4-5',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Stream it' }],
    stream: true,
  })
  const events: Anthropic.RawMessageStreamEvent[] = []
  for await (const event of stream) events.push(event)

  expect(events.map((event) => event.type)).toEqual([
    'message_start',
    'content_block_start',
    'content_block_delta',
    'content_block_delta',
    'content_block_delta',
    'content_block_delta',
    'content_block_stop',
    'message_delta',
    'message_stop',
  ])
  const text = events.map((event) =>
    event.type === 'content_block_delta' && event.delta.type === 'text_delta' ? event.delta.text : '',
  )
  expect(text.join('')).toBe('You said: Stream it')
  const messageDelta = events.find((event) => event.type === 'message_delta')
  expect(messageDelta).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } })
})

test('SSE: extended thinking, then tool_use, through messages.stream().finalMessage()', async () => {
  const stream = anthropic.messages.stream({
    model: 'claude-haiku-4-5',
    max_tokens: 2048,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    messages: [{ role: 'user', content: 'Check get_news about Mars and get_stock_price for TSLA' }],
    tools,
  })
  const inputDeltas: string[] = []
  stream.on('inputJson', (partialJson) => inputDeltas.push(partialJson))
  const message = await stream.finalMessage()

  expect(message.content.map((block) => block.type)).toEqual(['thinking', 'tool_use', 'tool_use'])
  const [thinking] = message.content
  expect(thinking).toMatchObject({
    type: 'thinking',
    thinking: 'Let me think about "Check get_news about Mars and get_stock_price for TSLA".',
    signature: expect.stringMatching(/^[A-Za-z0-9+/=]{64,}$/),
  })
  expect(toolUses(message).map((block) => [block.name, block.input])).toEqual([
    ['get_news', { topic: 'TSLA' }],
    ['get_stock_price', { ticker: 'TSLA', days: 1 }],
  ])
  expect(inputDeltas.length).toBeGreaterThanOrEqual(4)
  expect(message.stop_reason).toBe('tool_use')
  expect(message.usage.output_tokens).toBeGreaterThan(1)
})

test('SSE: scripted thinking + text + tool_use blocks in one message', async () => {
  const scripted = await startFakeProvider({
    respond: (request) =>
      request.provider === 'anthropic'
        ? {
            thinking: 'The user wants a price.',
            text: 'Let me look that up.',
            toolCalls: [{ name: 'get_stock_price', arguments: { ticker: 'AAPL' } }],
            usage: { inputTokens: 11, outputTokens: 22 },
          }
        : undefined,
  })
  try {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: scripted.anthropicBaseURL, maxRetries: 0 })
    const message = await client.messages
      .stream({
        model: 'claude-haiku-4-5',
        max_tokens: 2048,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'price?' }],
        tools,
      })
      .finalMessage()
    expect(message.content).toMatchObject([
      { type: 'thinking', thinking: 'The user wants a price.' },
      { type: 'text', text: 'Let me look that up.' },
      { type: 'tool_use', name: 'get_stock_price', input: { ticker: 'AAPL' } },
    ])
    expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 22 })
  } finally {
    await scripted.stop()
  }
})

test('the abort-after fault surfaces as an error in the stream helper', async () => {
  const stream = anthropic.messages.stream({
    model: 'claude-haiku-4-5',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'A long story [[fake:abort-after-3]]' }],
  })
  await expect(stream.finalMessage()).rejects.toThrow(/terminated/)
})

test('status fault: 429 in the Anthropic error shape', async () => {
  const failure = anthropic.messages.create({
    model: 'claude-haiku-4-5',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'hi [[fake:status-429]]' }],
  })
  await expect(failure).rejects.toBeInstanceOf(Anthropic.RateLimitError)
  await expect(failure).rejects.toMatchObject({
    status: 429,
    error: { type: 'error', error: { type: 'rate_limit_error' }, request_id: expect.stringMatching(/^req_/) },
  })
})

test('volatile ids differ between two identical requests', async () => {
  const request = {
    model: 'claude-haiku-4-5',
    max_tokens: 256,
    messages: [{ role: 'user' as const, content: 'get_news on Venus' }],
    tools,
  }
  const [first, second] = await Promise.all([anthropic.messages.create(request), anthropic.messages.create(request)])
  expect(first.id).not.toBe(second.id)
  expect(toolUses(first)[0]?.id).not.toBe(toolUses(second)[0]?.id)
  expect(toolUses(first)[0]?.input).toEqual(toolUses(second)[0]?.input)
})
