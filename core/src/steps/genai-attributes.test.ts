import type { Step } from '@retrace/cassettes'
import { expect, test } from 'vitest'
import { toGenAIAttributes } from './genai-attributes.ts'

const anthropicStep: Step = {
  provider: 'anthropic',
  api: 'anthropic.messages',
  operation: 'chat',
  model: 'claude-haiku-4-5',
  responseModel: 'claude-haiku-4-5-20251001',
  responseId: 'msg_01',
  streamed: true,
  complete: true,
  input: [
    { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
    { role: 'user', parts: [{ type: 'text', content: 'Weather?' }] },
  ],
  tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
  output: [
    { type: 'reasoning', content: 'Use the tool.' },
    { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } },
  ],
  finishReason: 'tool_calls',
  usage: { inputTokens: 20, outputTokens: 30, cacheReadTokens: 1000, cacheWriteTokens: 50, reasoningTokens: 12 },
  costUsd: 0.001,
  pricing: 'table',
  parameters: { temperature: 0.5, topP: 0.9, maxTokens: 256, seed: 1 },
}

test('a step maps to GenAI semantic-convention attributes', () => {
  const attributes = toGenAIAttributes(anthropicStep)
  expect(attributes).toMatchObject({
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'claude-haiku-4-5',
    'gen_ai.request.temperature': 0.5,
    'gen_ai.request.top_p': 0.9,
    'gen_ai.request.max_tokens': 256,
    'gen_ai.request.seed': 1,
    'gen_ai.request.stream': true,
    'gen_ai.response.model': 'claude-haiku-4-5-20251001',
    'gen_ai.response.id': 'msg_01',
    'gen_ai.response.finish_reasons': ['tool_calls'],
    // OTel counts cached input in input_tokens; Anthropic's own number leaves it out.
    'gen_ai.usage.input_tokens': 1070,
    'gen_ai.usage.output_tokens': 30,
    'gen_ai.usage.cache_read.input_tokens': 1000,
    'gen_ai.usage.cache_creation.input_tokens': 50,
    'gen_ai.usage.reasoning.output_tokens': 12,
  })
})

test('content attributes are JSON in the GenAI message schemas; a separate system prompt is reported apart', () => {
  const attributes = toGenAIAttributes(anthropicStep)
  expect(JSON.parse(String(attributes['gen_ai.system_instructions']))).toEqual([{ type: 'text', content: 'Be brief.' }])
  expect(JSON.parse(String(attributes['gen_ai.input.messages']))).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather?' }] }])
  expect(JSON.parse(String(attributes['gen_ai.output.messages']))).toEqual([
    {
      role: 'assistant',
      parts: [
        { type: 'reasoning', content: 'Use the tool.' },
        { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } },
      ],
      finish_reason: 'tool_call',
    },
  ])
  expect(JSON.parse(String(attributes['gen_ai.tool.definitions']))).toEqual([
    { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
  ])
})

test('Chat Completions system messages are chat history, so they stay in the input messages', () => {
  const attributes = toGenAIAttributes({
    ...anthropicStep,
    provider: 'openai',
    api: 'openai.chat.completions',
    usage: { inputTokens: 1070, outputTokens: 30, cacheReadTokens: 1000 },
  })
  expect(attributes).not.toHaveProperty('gen_ai.system_instructions')
  expect(JSON.parse(String(attributes['gen_ai.input.messages']))[0].role).toBe('system')
  expect(attributes['gen_ai.usage.input_tokens']).toBe(1070)
})

test('content can be left out, and absent fields produce no attribute', () => {
  const attributes = toGenAIAttributes(
    { provider: 'gcp.gemini', api: 'gemini.generateContent', operation: 'generate_content', streamed: false, complete: false, input: [], tools: [], output: [] },
    { content: false },
  )
  expect(attributes).toEqual({ 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.operation.name': 'generate_content', 'gen_ai.request.stream': false })
  expect(Object.keys(toGenAIAttributes(anthropicStep, { content: false })).filter((key) => key.includes('messages'))).toEqual([])
})
