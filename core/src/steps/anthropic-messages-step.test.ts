import { StepSchema, type Body, type Interaction, type JsonValue } from '@retrace/cassettes'
import { expect, test } from 'vitest'
import { extractStep } from './extract-step.ts'
import { json, recordedExchange, type RecordedReply } from '../../test/recorded-exchange.ts'

const MESSAGES_URL = 'https://api.anthropic.com/v1/messages'

const exchange = (request: unknown, response: RecordedReply): Interaction => recordedExchange(MESSAGES_URL, request, response, { headers: { 'anthropic-version': '2023-06-01' } })

/** Anthropic names every event; the payload repeats the name in `type`. */
function sse(...payloads: Array<Record<string, unknown>>): Body {
  return { sse: payloads.map((data, t) => ({ t, event: String(data['type']), data: data as JsonValue })) }
}

const request = {
  model: 'claude-sonnet-4-5',
  max_tokens: 2048,
  temperature: 1,
  thinking: { type: 'enabled', budget_tokens: 1024 },
  system: [
    { type: 'text', text: 'You are a travel assistant.' },
    { type: 'text', text: 'Use tools for live data.', cache_control: { type: 'ephemeral' } },
  ],
  tools: [
    {
      name: 'get_weather',
      description: 'Current weather for a city',
      input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
  ],
  messages: [
    { role: 'user', content: 'Should I pack an umbrella for Paris?' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Need the forecast.', signature: 'EqQBCkgIAhABGAIiQ' },
        { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01A', content: [{ type: 'text', text: 'Rain, 14°C' }] },
        { type: 'text', text: 'And Lyon?' },
      ],
    },
  ],
}

const thinking = 'It rains in Paris. Lyon needs a lookup.'
const text = 'Yes, pack an umbrella for Paris. Let me check Lyon.'

const message = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'thinking', thinking, signature: 'EqQBCkgIAhABGAIiQ2' },
    { type: 'text', text, citations: null },
    { type: 'tool_use', id: 'toolu_01B', name: 'get_weather', input: { city: 'Lyon' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 472,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 2048,
    output_tokens: 89,
    service_tier: 'standard',
  },
}

const expectedOutput = [
  { type: 'reasoning', content: thinking },
  { type: 'text', content: text },
  { type: 'tool_call', id: 'toolu_01B', name: 'get_weather', arguments: { city: 'Lyon' } },
]

function streamedMessage(): Array<Record<string, unknown>> {
  return [
    {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        usage: { input_tokens: 472, cache_creation_input_tokens: 0, cache_read_input_tokens: 2048, output_tokens: 2, service_tier: 'standard' },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'It rains in Paris. ' } },
    { type: 'ping' },
    { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Lyon needs a lookup.' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCkgIAhABGAIiQ2' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Yes, pack an umbrella for Paris.' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: ' Let me check Lyon.' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_01B', name: 'get_weather', input: {} } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Ly' } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: 'on"}' } },
    { type: 'content_block_stop', index: 2 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } },
    { type: 'message_stop' },
  ]
}

test('a JSON message keeps thinking, text and tool_use blocks in order', () => {
  const step = extractStep(exchange(request, { status: 200, body: json(message) }))

  expect(step).toMatchObject({
    provider: 'anthropic',
    api: 'anthropic.messages',
    operation: 'chat',
    model: 'claude-sonnet-4-5',
    responseModel: 'claude-sonnet-4-5-20250929',
    responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    streamed: false,
    complete: true,
    finishReason: 'tool_calls',
    parameters: { temperature: 1, maxTokens: 2048 },
    pricing: 'table',
  })
  expect(step?.output).toEqual(expectedOutput)
  // input_tokens is Anthropic's own (cache excluded); the total adds the cache back.
  expect(step?.usage).toEqual({ inputTokens: 472, outputTokens: 89, totalTokens: 472 + 2048 + 89, cacheReadTokens: 2048 })
  // Sonnet 4.5: $3 in, $0.30 cache read, $15 out per 1M.
  expect(step?.costUsd).toBeCloseTo((472 * 3 + 2048 * 0.3 + 89 * 15) / 1e6, 12)
  expect(() => StepSchema.parse(step)).not.toThrow()
})

test('the system prompt comes first and tool results stay inside their user message', () => {
  const step = extractStep(exchange(request, { status: 200, body: json(message) }))

  expect(step?.input).toEqual([
    {
      role: 'system',
      parts: [
        { type: 'text', content: 'You are a travel assistant.' },
        { type: 'text', content: 'Use tools for live data.' },
      ],
    },
    { role: 'user', parts: [{ type: 'text', content: 'Should I pack an umbrella for Paris?' }] },
    {
      role: 'assistant',
      parts: [
        { type: 'reasoning', content: 'Need the forecast.' },
        { type: 'tool_call', id: 'toolu_01A', name: 'get_weather', arguments: { city: 'Paris' } },
      ],
    },
    {
      role: 'user',
      parts: [
        { type: 'tool_call_response', id: 'toolu_01A', response: 'Rain, 14°C' },
        { type: 'text', content: 'And Lyon?' },
      ],
    },
  ])
  expect(step?.tools).toEqual([
    { name: 'get_weather', description: 'Current weather for a city', parameters: request.tools[0]?.input_schema },
    { name: 'web_search' },
  ])
})

test('a streamed message reassembles to the same output and usage as the JSON one', () => {
  const streamed = extractStep(exchange({ ...request, stream: true }, { status: 200, body: sse(...streamedMessage()) }))
  const unstreamed = extractStep(exchange(request, { status: 200, body: json(message) }))

  expect(streamed?.streamed).toBe(true)
  expect(streamed?.complete).toBe(true)
  expect(streamed?.output).toEqual(expectedOutput)
  expect(streamed?.finishReason).toBe('tool_calls')
  // Input tokens from message_start, output tokens from message_delta.
  expect(streamed?.usage).toEqual(unstreamed?.usage)
  expect(streamed?.costUsd).toBe(unstreamed?.costUsd)
})

test('a stream cut short mid tool input keeps what arrived, raw partial JSON included', () => {
  const cut = streamedMessage().slice(0, 14)
  const step = extractStep(
    exchange({ ...request, stream: true }, { status: 200, body: sse(...cut), end: { outcome: 'error', t: 14, message: 'socket hang up' } }),
  )

  expect(step?.complete).toBe(false)
  expect(step?.output).toEqual([
    { type: 'reasoning', content: thinking },
    { type: 'text', content: text },
    { type: 'tool_call', id: 'toolu_01B', name: 'get_weather', arguments: '{"city": "Ly' },
  ])
  expect(step?.finishReason).toBeUndefined()
  // Usage so far: message_start's counts, so the partial call is still priced.
  expect(step?.usage).toMatchObject({ inputTokens: 472, outputTokens: 2, cacheReadTokens: 2048 })
  expect(step?.pricing).toBe('table')
})

test('an error event mid-stream ends the step with finish reason error', () => {
  const events = [
    ...streamedMessage().slice(0, 9),
    { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
  ]
  const step = extractStep(exchange({ ...request, stream: true }, { status: 200, body: sse(...events) }))
  expect(step?.finishReason).toBe('error')
  expect(step?.output.at(-1)).toEqual({ type: 'text', content: 'Yes, pack an umbrella for Paris.' })
})

test.each([
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['max_tokens', 'length'],
  ['tool_use', 'tool_calls'],
  ['refusal', 'content_filter'],
  ['pause_turn', 'pause_turn'],
  ['model_context_window_exceeded', 'model_context_window_exceeded'],
])('stop_reason %s becomes %s', (stopReason, finishReason) => {
  const step = extractStep(exchange(request, { status: 200, body: json({ ...message, stop_reason: stopReason }) }))
  expect(step?.finishReason).toBe(finishReason)
})

test('images and documents are described by media type, not copied', () => {
  const step = extractStep(
    exchange(
      {
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
              { type: 'document', source: { type: 'url', url: 'https://example.com/report.pdf' } },
              { type: 'text', text: 'Summarise.' },
            ],
          },
        ],
      },
      { status: 200, body: json({ ...message, content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn' }) },
    ),
  )
  expect(step?.input[0]?.parts).toEqual([
    { type: 'blob', modality: 'image', mime_type: 'image/jpeg' },
    { type: 'uri', uri: 'https://example.com/report.pdf', modality: 'document' },
    { type: 'text', content: 'Summarise.' },
  ])
  expect(JSON.stringify(step)).not.toContain('/9j/4AAQ')
})
