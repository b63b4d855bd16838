import { DEFAULT_PRICE_TABLE, StepSchema, StoredStepSchema, type Interaction } from '@retrace/cassettes'
import { expect, test } from 'vitest'
import { detectLlmApi } from './detect-llm-api.ts'
import { extractStep } from './extract-step.ts'
import { stepText, stepToolCalls } from './step-output.ts'
import { storedStepOf } from './stored-step.ts'

function post(url: string, body: Interaction['request']['body'], response?: Interaction['response']): Interaction {
  return { request: { method: 'POST', url, headers: {}, body }, ...(response === undefined ? {} : { response }) }
}

const chatRequest = { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } }
const chatReply = {
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Looking it up.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"hi"}' } }],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
}

test.each([
  ['GET', 'https://api.openai.com/v1/models'],
  ['POST', 'https://api.openai.com/v1/embeddings'],
  ['POST', 'https://api.anthropic.com/v1/messages/count_tokens'],
  ['POST', 'https://api.anthropic.com/v1/messages/batches'],
  ['POST', 'https://api.openai.com/v1/responses/resp_123/cancel'],
  ['POST', 'https://example.com/v1/chat/completions/extra'],
  ['GET', 'https://api.openai.com/v1/chat/completions'],
  ['POST', 'https://storage.googleapis.com/upload'],
])('%s %s is not an LLM call', (method, url) => {
  expect(detectLlmApi(method, url)).toBeUndefined()
  expect(extractStep({ request: { method, url, headers: {}, body: chatRequest } })).toBeUndefined()
})

test.each([
  ['http://127.0.0.1:4010/v1/chat/completions', 'openai.chat.completions'],
  ['http://localhost:8080/api/v1/chat/completions/', 'openai.chat.completions'],
  ['http://localhost/v1/responses', 'openai.responses'],
  ['http://localhost:9999/v1/messages?beta=true', 'anthropic.messages'],
  ['http://localhost/v1beta/models/gemini-2.5-flash:generateContent', 'gemini.generateContent'],
  ['/v1/chat/completions', 'openai.chat.completions'],
])('%s is detected by path as %s, whatever the host', (url, api) => {
  expect(detectLlmApi('post', url)?.api).toBe(api)
})

test('an LLM URL without a JSON request body is not a step', () => {
  const url = 'https://api.openai.com/v1/chat/completions'
  expect(extractStep(post(url, undefined))).toBeUndefined()
  expect(extractStep(post(url, { text: 'not json' }))).toBeUndefined()
  expect(extractStep(post(url, { base64: 'AAAA' }))).toBeUndefined()
  expect(extractStep(post(url, { json: [1, 2] }))).toBeUndefined()
  // A JSON body stored as text (a wrong content type) still counts.
  expect(extractStep(post(url, { text: JSON.stringify(chatRequest.json) }))?.model).toBe('gpt-4o-mini')
})

test('an error response is a complete step with no output and finish reason error', () => {
  const step = extractStep(
    post('https://api.openai.com/v1/chat/completions', chatRequest, {
      status: 429,
      headers: {},
      body: { json: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } } },
    }),
  )
  expect(step).toMatchObject({ complete: true, output: [], finishReason: 'error', pricing: 'no-usage', costUsd: 0 })
  expect(step?.input).toHaveLength(1)
})

test('a request that got no response is an incomplete error step', () => {
  const step = extractStep({ ...post('https://api.openai.com/v1/chat/completions', chatRequest), error: { message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' } })
  expect(step).toMatchObject({ complete: false, output: [], finishReason: 'error' })
})

test.each([
  ['choices is not an array', { choices: 'garbage', usage: 'nope' }],
  ['a choice is null', { choices: [null] }],
  ['the message content is a number', { choices: [{ index: 0, message: { content: 42, tool_calls: [null, 7] } }] }],
  ['the body is a string', 'oops'],
])('a malformed response body (%s) yields a minimal step, never an exception', (_case, json) => {
  const step = extractStep(post('https://api.openai.com/v1/chat/completions', chatRequest, { status: 200, headers: {}, body: { json: json as never } }))
  expect(step).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', input: [{ role: 'user' }] })
  expect(() => StepSchema.parse(step)).not.toThrow()
})

test('malformed request and SSE payloads do not throw either', () => {
  const weird = extractStep(
    post(
      'https://api.anthropic.com/v1/messages',
      { json: { model: 7, system: { no: 'blocks' }, messages: 'hello', tools: [null, { name: 3 }] } },
      { status: 200, headers: {}, body: { sse: [{ t: 0, text: 'not json' }, { t: 1, data: [1, 2] }, { t: 2, data: { type: 'content_block_delta', index: 9 } }] } },
    ),
  )
  expect(weird).toMatchObject({ provider: 'anthropic', input: [], tools: [], output: [], streamed: true })
})

test('a custom price table prices the step', () => {
  const table = { ...DEFAULT_PRICE_TABLE, models: { openai: { 'gpt-4o-mini': { input: 1_000_000, output: 0 } } } }
  const step = extractStep(
    post('https://api.openai.com/v1/chat/completions', chatRequest, { status: 200, headers: {}, body: { json: chatReply } }),
    { priceTable: table },
  )
  expect(step?.costUsd).toBe(5)
})

test('storedStepOf keeps exactly the stored fields', () => {
  const step = extractStep(
    post('https://api.openai.com/v1/chat/completions', chatRequest, { status: 200, headers: {}, body: { json: chatReply } }),
  )
  if (step === undefined) throw new Error('expected a step')
  const stored = storedStepOf(step)
  expect(Object.keys(stored).sort()).toEqual(
    ['api', 'complete', 'costUsd', 'finishReason', 'model', 'operation', 'output', 'pricing', 'provider', 'streamed', 'usage'].sort(),
  )
  expect(stored).not.toHaveProperty('input')
  expect(StoredStepSchema.parse(stored)).toEqual(stored)
})

test('stepText joins the text parts and stepToolCalls lists the calls', () => {
  const step = extractStep(
    post('https://api.openai.com/v1/chat/completions', chatRequest, { status: 200, headers: {}, body: { json: chatReply } }),
  )
  if (step === undefined) throw new Error('expected a step')
  expect(stepText(step)).toBe('Looking it up.')
  expect(stepToolCalls(step)).toEqual([{ type: 'tool_call', id: 'call_1', name: 'search', arguments: { q: 'hi' } }])
  const multi = { output: [{ type: 'text' as const, content: 'a' }, { type: 'reasoning' as const, content: 'x' }, { type: 'text' as const, content: 'b' }] }
  expect(stepText(multi)).toBe('ab')
  expect(stepToolCalls(multi)).toEqual([])
})
