import { StepSchema, type Body, type JsonValue } from '@retrace/cassettes'
import { expect, test } from 'vitest'
import { extractStep } from './extract-step.ts'
import { json, recordedExchange } from '../../test/recorded-exchange.ts'

const BASE = 'https://generativelanguage.googleapis.com/v1beta/models'

const exchange = recordedExchange

function sse(...chunks: unknown[]): Body {
  return { sse: chunks.map((data, t) => ({ t, data: data as JsonValue })) }
}

const request = {
  systemInstruction: { parts: [{ text: 'You are a weather bot.' }] },
  contents: [
    { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
    { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { forecast: 'rain' } } }] },
    { role: 'user', parts: [{ text: 'And Rome and Oslo?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
  ],
  tools: [
    {
      functionDeclarations: [
        {
          name: 'get_weather',
          description: 'Current weather',
          parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
    },
    { googleSearch: {} },
  ],
  generationConfig: { temperature: 0.4, topP: 0.9, maxOutputTokens: 800, seed: 3, thinkingConfig: { includeThoughts: true } },
}

const usageMetadata = {
  promptTokenCount: 120,
  candidatesTokenCount: 30,
  thoughtsTokenCount: 50,
  cachedContentTokenCount: 100,
  totalTokenCount: 200,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: 120 }],
}

test('a functionCall response with parallel calls finishes with tool_calls; the model comes from the URL', () => {
  const step = extractStep(
    exchange(`${BASE}/gemini-2.5-flash:generateContent`, request, {
      status: 200,
      body: {
        json: {
          candidates: [
            {
              content: {
                role: 'model',
                parts: [
                  { text: 'Checking both cities.', thought: true },
                  { functionCall: { name: 'get_weather', args: { city: 'Rome' } }, thoughtSignature: 'CiQBcsjafE' },
                  { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } },
                ],
              },
              finishReason: 'STOP',
              index: 0,
            },
          ],
          usageMetadata,
          modelVersion: 'gemini-2.5-flash',
          responseId: 'mHZzaKX3N5a7nvgPyo',
        },
      },
    }),
  )

  expect(step).toMatchObject({
    provider: 'gcp.gemini',
    api: 'gemini.generateContent',
    operation: 'generate_content',
    model: 'gemini-2.5-flash',
    responseModel: 'gemini-2.5-flash',
    responseId: 'mHZzaKX3N5a7nvgPyo',
    streamed: false,
    complete: true,
    finishReason: 'tool_calls',
    parameters: { temperature: 0.4, topP: 0.9, maxTokens: 800, seed: 3 },
  })
  expect(step?.output).toEqual([
    { type: 'reasoning', content: 'Checking both cities.' },
    { type: 'tool_call', name: 'get_weather', arguments: { city: 'Rome' } },
    { type: 'tool_call', name: 'get_weather', arguments: { city: 'Oslo' } },
  ])
  // Thoughts are billed as output, so they are counted in outputTokens.
  expect(step?.usage).toEqual({ inputTokens: 120, outputTokens: 80, totalTokens: 200, cacheReadTokens: 100, reasoningTokens: 50 })
  // gemini-2.5-flash: 20 uncached × $0.30 + 100 cached × $0.03 + 80 out × $2.50, per 1M.
  expect(step?.costUsd).toBeCloseTo((20 * 0.3 + 100 * 0.03 + 80 * 2.5) / 1e6, 12)
  expect(() => StepSchema.parse(step)).not.toThrow()
})

test('systemInstruction, function responses and inline media map into the input', () => {
  const step = extractStep(
    exchange(`${BASE}/gemini-2.5-flash:generateContent`, request, {
      status: 200,
      body: { json: { candidates: [{ content: { role: 'model', parts: [{ text: 'Sunny.' }] }, finishReason: 'STOP' }] } },
    }),
  )
  expect(step?.input).toEqual([
    { role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] },
    { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
    { role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather', arguments: { city: 'Paris' } }] },
    { role: 'user', parts: [{ type: 'tool_call_response', name: 'get_weather', response: { forecast: 'rain' } }] },
    {
      role: 'user',
      parts: [
        { type: 'text', content: 'And Rome and Oslo?' },
        { type: 'blob', modality: 'image', mime_type: 'image/png' },
      ],
    },
  ])
  expect(step?.tools).toEqual([
    { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    { name: 'googleSearch' },
  ])
  expect(step?.finishReason).toBe('stop')
})

test('an SSE stream concatenates chunk parts and takes usage from the last chunk', () => {
  const envelope = { modelVersion: 'gemini-2.5-pro', responseId: 'resp-g1' }
  const step = extractStep(
    exchange(`http://127.0.0.1:8787/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`, request, {
      status: 200,
      body: sse(
        { ...envelope, candidates: [{ content: { role: 'model', parts: [{ text: 'Thinking about ', thought: true }] }, index: 0 }] },
        { ...envelope, candidates: [{ content: { role: 'model', parts: [{ text: 'the sky.', thought: true }] }, index: 0 }] },
        {
          ...envelope,
          candidates: [{ content: { role: 'model', parts: [{ text: 'It is ' }] }, index: 0 }],
          usageMetadata: { promptTokenCount: 120, totalTokenCount: 120 },
        },
        {
          ...envelope,
          candidates: [{ content: { role: 'model', parts: [{ text: 'blue.' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 4, thoughtsTokenCount: 12, totalTokenCount: 136 },
        },
      ),
    }),
  )

  expect(step).toMatchObject({ model: 'gemini-2.5-pro', streamed: true, complete: true, finishReason: 'stop', responseId: 'resp-g1' })
  expect(step?.output).toEqual([
    { type: 'reasoning', content: 'Thinking about the sky.' },
    { type: 'text', content: 'It is blue.' },
  ])
  expect(step?.usage).toEqual({ inputTokens: 120, outputTokens: 16, totalTokens: 136, reasoningTokens: 12 })
})

test('a non-SSE stream (a JSON array of chunks) is merged the same way', () => {
  const step = extractStep(
    exchange(`${BASE}/gemini-2.0-flash-001:streamGenerateContent`, { contents: [{ parts: [{ text: 'Hi' }] }] }, {
      status: 200,
      body: {
        json: [
          { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] } }] },
          { candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 2, totalTokenCount: 4 } },
        ],
      },
    }),
  )
  expect(step).toMatchObject({ model: 'gemini-2.0-flash-001', streamed: true, output: [{ type: 'text', content: 'Hello' }], pricing: 'table' })
})

test('a cut-short stream is incomplete with the text so far', () => {
  const step = extractStep(
    exchange(`${BASE}/gemini-2.5-flash:streamGenerateContent?alt=sse`, request, {
      status: 200,
      body: sse({ candidates: [{ content: { role: 'model', parts: [{ text: 'Rome is ' }] } }] }),
      end: { outcome: 'aborted', t: 5 },
    }),
  )
  expect(step).toMatchObject({ complete: false, output: [{ type: 'text', content: 'Rome is ' }] })
  expect(step?.finishReason).toBeUndefined()
})

test.each([
  ['MAX_TOKENS', 'length'],
  ['SAFETY', 'content_filter'],
  ['RECITATION', 'content_filter'],
  ['PROHIBITED_CONTENT', 'content_filter'],
  ['SPII', 'content_filter'],
  ['BLOCKLIST', 'content_filter'],
  ['MALFORMED_FUNCTION_CALL', 'malformed_function_call'],
])('finishReason %s becomes %s', (raw, normalised) => {
  const step = extractStep(
    exchange(`${BASE}/gemini-2.5-flash:generateContent`, request, {
      status: 200,
      body: { json: { candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason: raw }] } },
    }),
  )
  expect(step?.finishReason).toBe(normalised)
})

test('a prompt blocked before generation is a content_filter stop', () => {
  const step = extractStep(
    exchange(`${BASE}/gemini-2.5-flash:generateContent`, request, {
      status: 200,
      body: { json: { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } } },
    }),
  )
  expect(step).toMatchObject({ output: [], finishReason: 'content_filter', usage: { inputTokens: 9, outputTokens: 0 } })
})

test('the model is read from v1 and Vertex AI URLs too', () => {
  const v1 = extractStep(exchange('https://generativelanguage.googleapis.com/v1/models/gemini-3-pro-preview:generateContent', request, { status: 200, body: { json: {} } }))
  const vertex = extractStep(
    exchange(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash-lite:generateContent',
      request,
      { status: 200, body: { json: {} } },
    ),
  )
  expect(v1?.model).toBe('gemini-3-pro-preview')
  expect(vertex?.model).toBe('gemini-2.5-flash-lite')
})
