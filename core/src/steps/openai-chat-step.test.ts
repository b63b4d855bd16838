import { StepSchema, type Body, type Interaction, type JsonValue } from '@retrace/cassettes'
import { expect, test } from 'vitest'
import { extractStep } from './extract-step.ts'
import { json, recordedExchange, type RecordedReply } from '../../test/recorded-exchange.ts'

const CHAT_URL = 'https://api.openai.com/v1/chat/completions'

const exchange = (url: string, request: unknown, response: RecordedReply): Interaction =>
  recordedExchange(url, request, response, { headers: { 'content-type': 'application/json' }, latencyMs: 321 })

/** SSE events as recorded: JSON payloads in `data`, anything else (OpenAI's `[DONE]`) in `text`. */
function sse(...payloads: unknown[]): Body {
  return { sse: payloads.map((payload, t) => (typeof payload === 'string' ? { t, text: payload } : { t, data: payload as JsonValue })) }
}

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  id: 'chatcmpl-BzT4Lh0g',
  object: 'chat.completion.chunk',
  created: 1_754_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  service_tier: 'default',
  system_fingerprint: 'fp_34a54ae93c',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  usage: null,
})

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}

test('a JSON completion with parallel tool calls keeps every call, arguments parsed', () => {
  const step = extractStep(
    exchange(
      CHAT_URL,
      {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'You are a weather bot.' },
          { role: 'user', content: 'Weather in Paris and Tokyo?' },
        ],
        tools: [weatherTool],
        temperature: 0.2,
        max_completion_tokens: 512,
        seed: 7,
      },
      {
        status: 200,
        body: {
          json: {
            id: 'chatcmpl-C1a2b3',
            object: 'chat.completion',
            created: 1_754_000_000,
            model: 'gpt-4o-2024-08-06',
            choices: [
              {
                index: 0,
                message: {
                  role: 'assistant',
                  content: null,
                  refusal: null,
                  annotations: [],
                  tool_calls: [
                    { id: 'call_p1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
                    { id: 'call_t2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
                  ],
                },
                logprobs: null,
                finish_reason: 'tool_calls',
              },
            ],
            usage: {
              prompt_tokens: 1200,
              completion_tokens: 40,
              total_tokens: 1240,
              prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
              completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
            },
            service_tier: 'default',
            system_fingerprint: 'fp_07871e2ad8',
          },
        },
      },
    ),
  )

  expect(step).toMatchObject({
    provider: 'openai',
    api: 'openai.chat.completions',
    operation: 'chat',
    model: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    responseId: 'chatcmpl-C1a2b3',
    streamed: false,
    complete: true,
    finishReason: 'tool_calls',
    latencyMs: 321,
    parameters: { temperature: 0.2, maxTokens: 512, seed: 7 },
    pricing: 'table',
  })
  expect(step?.output).toEqual([
    { type: 'tool_call', id: 'call_p1', name: 'get_weather', arguments: { city: 'Paris' } },
    { type: 'tool_call', id: 'call_t2', name: 'get_weather', arguments: { city: 'Tokyo' } },
  ])
  expect(step?.input[0]).toEqual({ role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] })
  expect(step?.tools).toEqual([
    { name: 'get_weather', description: 'Current weather for a city', parameters: weatherTool.function.parameters },
  ])
  expect(step?.usage).toEqual({ inputTokens: 1200, outputTokens: 40, totalTokens: 1240, cacheReadTokens: 1024 })
  // gpt-4o: 176 uncached × $2.50 + 1024 cached × $1.25 + 40 out × $10, per 1M.
  expect(step?.costUsd).toBeCloseTo((176 * 2.5 + 1024 * 1.25 + 40 * 10) / 1e6, 12)
  expect(() => StepSchema.parse(step)).not.toThrow()
})

test('a history with a developer message, tool results and images maps every message', () => {
  const step = extractStep(
    exchange(
      CHAT_URL,
      {
        model: 'gpt-4.1',
        messages: [
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          {
            role: 'user',
            name: 'ada',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q": "cat' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '{"answer":"a cat"}' },
        ],
      },
      { status: 200, body: { json: { choices: [{ index: 0, message: { role: 'assistant', content: 'Un chat.' }, finish_reason: 'stop' }] } } },
    ),
  )

  expect(step?.input).toEqual([
    { role: 'system', parts: [{ type: 'text', content: 'Answer in French.' }] },
    {
      role: 'user',
      name: 'ada',
      parts: [
        { type: 'text', content: 'What is in this picture?' },
        // Inline bytes are described, never copied into the step.
        { type: 'blob', modality: 'image', mime_type: 'image/png' },
        { type: 'uri', uri: 'https://example.com/cat.jpg', modality: 'image' },
      ],
    },
    // Arguments that are not valid JSON stay the string the model wrote.
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup', arguments: '{"q": "cat' }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: '{"answer":"a cat"}' }] },
  ])
  expect(JSON.stringify(step)).not.toContain('iVBORw0KGgo')
  expect(step?.output).toEqual([{ type: 'text', content: 'Un chat.' }])
})

test('a stream with include_usage reassembles the text and prices the usage chunk', () => {
  const step = extractStep(
    exchange(
      CHAT_URL,
      { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say hello' }] },
      {
        status: 200,
        body: sse(
          chunk({ role: 'assistant', content: '', refusal: null }),
          chunk({ content: 'Hello' }),
          chunk({ content: ' there!' }),
          chunk({}, 'stop'),
          {
            ...chunk({}),
            choices: [],
            usage: {
              prompt_tokens: 19,
              completion_tokens: 10,
              total_tokens: 29,
              prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
              completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
            },
          },
          '[DONE]',
        ),
      },
    ),
  )

  expect(step).toMatchObject({ streamed: true, complete: true, finishReason: 'stop', responseModel: 'gpt-4o-mini-2024-07-18' })
  expect(step?.output).toEqual([{ type: 'text', content: 'Hello there!' }])
  expect(step?.usage).toEqual({ inputTokens: 19, outputTokens: 10, totalTokens: 29 })
  // gpt-4o-mini: $0.15 in, $0.60 out per 1M. The seed SDK recorded 0 here.
  expect(step?.costUsd).toBeCloseTo((19 * 0.15 + 10 * 0.6) / 1e6, 12)
  expect(step?.pricing).toBe('table')
})

test('streamed parallel tool calls are merged by index with argument fragments joined', () => {
  const step = extractStep(
    exchange(
      CHAT_URL,
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Paris and Tokyo' }], tools: [weatherTool] },
      {
        status: 200,
        body: sse(
          chunk({ role: 'assistant', content: null, refusal: null }),
          chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty": "Paris"}' } }] }),
          chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 1, function: { arguments: '{"city": "Tokyo"}' } }] }),
          chunk({}, 'tool_calls'),
          '[DONE]',
        ),
      },
    ),
  )

  expect(step?.output).toEqual([
    { type: 'tool_call', id: 'call_A', name: 'get_weather', arguments: { city: 'Paris' } },
    { type: 'tool_call', id: 'call_B', name: 'get_weather', arguments: { city: 'Tokyo' } },
  ])
  expect(step?.finishReason).toBe('tool_calls')
  // No include_usage: nothing to price, and the step says so.
  expect(step).toMatchObject({ costUsd: 0, pricing: 'no-usage' })
})

test("Azure's leading prompt_filter_results chunk (empty id and model) does not hide the real ones", () => {
  const step = extractStep(
    exchange(
      'https://my-resource.openai.azure.com/openai/deployments/prod-chat/chat/completions?api-version=2024-10-21',
      { stream: true, messages: [{ role: 'user', content: 'Hi' }] },
      {
        status: 200,
        body: sse(
          { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] },
          chunk({ role: 'assistant', content: 'Hi!' }),
          chunk({}, 'stop'),
          '[DONE]',
        ),
      },
    ),
  )
  expect(step).toMatchObject({ responseId: 'chatcmpl-BzT4Lh0g', responseModel: 'gpt-4o-mini-2024-07-18', output: [{ type: 'text', content: 'Hi!' }] })
})

test('a stream cut short keeps the partial text and is marked incomplete', () => {
  const step = extractStep(
    exchange(
      CHAT_URL,
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Tell me a story' }] },
      {
        status: 200,
        body: sse(chunk({ role: 'assistant', content: '' }), chunk({ content: 'Once upon' }), chunk({ content: ' a time' })),
        end: { outcome: 'aborted', t: 2, message: 'The operation was aborted.' },
      },
    ),
  )

  expect(step).toMatchObject({ streamed: true, complete: false, output: [{ type: 'text', content: 'Once upon a time' }] })
  expect(step?.finishReason).toBeUndefined()
})

test('a refusal becomes a refusal part', () => {
  const step = extractStep(
    exchange(
      CHAT_URL,
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'How do I pick a lock?' }] },
      {
        status: 200,
        body: {
          json: {
            id: 'chatcmpl-r',
            model: 'gpt-4o-2024-08-06',
            choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: "I'm sorry, I can't help with that." }, finish_reason: 'stop' }],
          },
        },
      },
    ),
  )
  expect(step?.output).toEqual([{ type: 'refusal', content: "I'm sorry, I can't help with that." }])
})

test('an Azure deployment URL gives the model when the body has none, and the response model prices it', () => {
  const step = extractStep(
    exchange(
      'https://my-resource.openai.azure.com/openai/deployments/prod-chat/chat/completions?api-version=2024-10-21',
      { messages: [{ role: 'user', content: 'Hi' }] },
      {
        status: 200,
        body: {
          json: {
            id: 'chatcmpl-az',
            model: 'gpt-4o-mini-2024-07-18',
            choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 },
          },
        },
      },
    ),
  )
  expect(step).toMatchObject({ model: 'prod-chat', responseModel: 'gpt-4o-mini-2024-07-18', pricing: 'table', costUsd: 0.15 })
})
