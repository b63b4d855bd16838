import { StepSchema, type Body, type Interaction, type JsonValue } from '@retrace/cassettes'
import { expect, test } from 'vitest'
import { extractStep } from './extract-step.ts'
import { json, recordedExchange, type RecordedReply } from '../../test/recorded-exchange.ts'

const RESPONSES_URL = 'https://api.openai.com/v1/responses'

const exchange = (request: unknown, response: RecordedReply): Interaction => recordedExchange(RESPONSES_URL, request, response)

/** Responses API events name themselves in `event:` and in the payload's `type`. */
function sse(...payloads: Array<Record<string, unknown>>): Body {
  return { sse: payloads.map((data, t) => ({ t, event: String(data['type']), data: { ...data, sequence_number: t } as JsonValue })) }
}

const request = {
  model: 'gpt-5-mini',
  instructions: 'You are a concise assistant.',
  input: [
    { role: 'user', content: 'What is the weather in Paris?' },
    { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'function_call_output', call_id: 'call_1', output: '{"temp_c":14}' },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And in Lyon?' }] },
  ],
  tools: [
    { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
    { type: 'web_search' },
  ],
  max_output_tokens: 1000,
  reasoning: { effort: 'low', summary: 'auto' },
}

const response = {
  id: 'resp_68af4c1e9a4c8190',
  object: 'response',
  created_at: 1_756_300_000,
  status: 'completed',
  error: null,
  incomplete_details: null,
  model: 'gpt-5-mini-2025-08-07',
  output: [
    { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Need Lyon weather.' }] },
    { id: 'fc_2', type: 'function_call', status: 'completed', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Lyon"}' },
  ],
  usage: {
    input_tokens: 2100,
    input_tokens_details: { cached_tokens: 2048, cache_write_tokens: 0 },
    output_tokens: 300,
    output_tokens_details: { reasoning_tokens: 256 },
    total_tokens: 2400,
  },
}

test('a JSON response maps instructions, input items, output items and usage', () => {
  const step = extractStep(exchange(request, { status: 200, body: json(response) }))

  expect(step).toMatchObject({
    provider: 'openai',
    api: 'openai.responses',
    operation: 'chat',
    model: 'gpt-5-mini',
    responseModel: 'gpt-5-mini-2025-08-07',
    responseId: 'resp_68af4c1e9a4c8190',
    finishReason: 'tool_calls',
    parameters: { maxTokens: 1000 },
  })
  expect(step?.input).toEqual([
    { role: 'system', parts: [{ type: 'text', content: 'You are a concise assistant.' }] },
    { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] },
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: '{"temp_c":14}' }] },
    { role: 'user', parts: [{ type: 'text', content: 'And in Lyon?' }] },
  ])
  expect(step?.output).toEqual([
    { type: 'reasoning', content: 'Need Lyon weather.' },
    { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: { city: 'Lyon' } },
  ])
  expect(step?.tools.map((tool) => tool.name)).toEqual(['get_weather', 'web_search'])
  expect(step?.usage).toEqual({ inputTokens: 2100, outputTokens: 300, totalTokens: 2400, cacheReadTokens: 2048, reasoningTokens: 256 })
  // gpt-5-mini: 52 uncached × $0.25 + 2048 cached × $0.025 + 300 out × $2, per 1M.
  expect(step?.costUsd).toBeCloseTo((52 * 0.25 + 2048 * 0.025 + 300 * 2) / 1e6, 12)
  expect(() => StepSchema.parse(step)).not.toThrow()
})

const messageItem = {
  id: 'msg_1',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Lyon is sunny.' }],
}

function streamEvents(): Array<Record<string, unknown>> {
  const inProgress = { ...response, status: 'in_progress', output: [], usage: null }
  return [
    { type: 'response.created', response: inProgress },
    { type: 'response.in_progress', response: inProgress },
    { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
    { type: 'response.content_part.added', item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', annotations: [], text: '' } },
    { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Lyon is', logprobs: [] },
    { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: ' sunny.', logprobs: [] },
    { type: 'response.output_text.done', item_id: 'msg_1', output_index: 0, content_index: 0, text: 'Lyon is sunny.' },
    { type: 'response.output_item.done', output_index: 0, item: messageItem },
    {
      type: 'response.completed',
      response: { ...response, output: [messageItem], usage: { ...response.usage, output_tokens: 12, output_tokens_details: { reasoning_tokens: 0 } } },
    },
  ]
}

test('a finished stream is read from its response.completed event', () => {
  const step = extractStep(exchange({ ...request, stream: true }, { status: 200, body: sse(...streamEvents()) }))
  expect(step).toMatchObject({ streamed: true, complete: true, finishReason: 'stop', output: [{ type: 'text', content: 'Lyon is sunny.' }] })
  expect(step?.usage?.outputTokens).toBe(12)
})

test('a stream cut short is rebuilt from its deltas and left without a finish reason', () => {
  const step = extractStep(
    exchange({ ...request, stream: true }, { status: 200, body: sse(...streamEvents().slice(0, 5)), end: { outcome: 'aborted', t: 5 } }),
  )
  expect(step).toMatchObject({ complete: false, responseId: 'resp_68af4c1e9a4c8190', output: [{ type: 'text', content: 'Lyon is' }] })
  expect(step?.finishReason).toBeUndefined()
  expect(step?.usage).toBeUndefined()
})

test('streamed function-call arguments are joined', () => {
  const inProgress = { ...response, status: 'in_progress', output: [], usage: null }
  const step = extractStep(
    exchange(
      { ...request, stream: true },
      {
        status: 200,
        body: sse(
          { type: 'response.created', response: inProgress },
          { type: 'response.output_item.added', output_index: 0, item: { id: 'fc_9', type: 'function_call', call_id: 'call_9', name: 'get_weather', arguments: '' } },
          { type: 'response.function_call_arguments.delta', item_id: 'fc_9', output_index: 0, delta: '{"city":' },
          { type: 'response.function_call_arguments.delta', item_id: 'fc_9', output_index: 0, delta: '"Nice"}' },
        ),
        end: { outcome: 'error', t: 4 },
      },
    ),
  )
  expect(step?.output).toEqual([{ type: 'tool_call', id: 'call_9', name: 'get_weather', arguments: { city: 'Nice' } }])
})

test('an incomplete response stopped by max_output_tokens finishes with length', () => {
  const step = extractStep(
    exchange(request, {
      status: 200,
      body: json({ ...response, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [messageItem] }),
    }),
  )
  expect(step?.finishReason).toBe('length')
})

test('a plain string input becomes one user message', () => {
  const step = extractStep(exchange({ model: 'gpt-4.1-nano', input: 'Hello' }, { status: 200, body: json({ ...response, output: [messageItem] }) }))
  expect(step?.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hello' }] }])
  expect(step?.finishReason).toBe('stop')
})
