import { CassetteSchema, type Cassette, type Interaction, type JsonObject } from '@retrace/cassettes'
import { extractStep } from '@retrace/core'
import { storedStepOf } from '@retrace/core/internal'

const CHAT_URL = 'https://api.openai.com/v1/chat/completions'

const withStep = (interaction: Interaction): Interaction => {
  const step = extractStep(interaction)
  return step ? { ...interaction, step: storedStepOf(step) } : interaction
}

/** A chat completion answered as JSON. */
export const jsonChat: Interaction = withStep({
  request: {
    method: 'POST',
    url: CHAT_URL,
    headers: { authorization: '[REDACTED]', 'content-type': 'application/json' },
    body: { json: { model: 'gpt-4o-mini', temperature: 1, messages: [{ role: 'user', content: 'Weather in Paris?' }] } },
  },
  response: {
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json', 'x-request-id': 'req_1' },
    body: {
      json: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny, 21°C.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
      },
    },
  },
  timing: { latencyMs: 120, durationMs: 125 },
})

const chunk = (delta: JsonObject, finish: string | null = null): JsonObject => ({
  id: 'chatcmpl-2',
  object: 'chat.completion.chunk',
  created: 2,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, finish_reason: finish }],
})

/** A streamed chat completion, with the usage-only chunk the recorder asked for. */
export const streamedChat: Interaction = withStep({
  request: {
    method: 'POST',
    url: CHAT_URL,
    headers: { 'content-type': 'application/json' },
    body: { json: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Stream a haiku' }] } },
  },
  response: {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    body: {
      sse: [
        { t: 0, comment: 'keep-alive' },
        { t: 3, data: chunk({ role: 'assistant', content: 'Quiet' }) },
        { t: 7, data: chunk({ content: ' rain\nfalls' }) },
        { t: 9, data: chunk({}, 'stop') },
        { t: 10, data: { id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 2, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } } },
        { t: 11, text: '[DONE]' },
      ],
    },
  },
  timing: { latencyMs: 80, durationMs: 95 },
})

/** A stream the caller aborted. */
export const abortedStream: Interaction = withStep({
  request: {
    method: 'POST',
    url: CHAT_URL,
    headers: { 'content-type': 'application/json' },
    body: { json: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Stop early' }] } },
  },
  response: {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    body: { sse: [{ t: 2, data: chunk({ role: 'assistant', content: 'Once' }) }] },
    end: { outcome: 'error', t: 40, message: 'socket hang up' },
  },
  timing: { latencyMs: 30, durationMs: 70 },
})

/** Not an LLM call: plain text, a binary upload, and one that never got a response. */
export const textResponse: Interaction = {
  request: { method: 'GET', url: 'https://weather.example.com/v1/paris?units=metric&lang=en', headers: { accept: 'text/plain' } },
  response: { status: 200, headers: { 'content-type': 'text/plain' }, body: { text: 'sunny\n21' } },
  timing: { latencyMs: 15, durationMs: 16 },
  note: 'kept as is',
}

export const binaryExchange: Interaction = {
  request: { method: 'PUT', url: 'https://files.example.com/upload', headers: { 'content-type': 'application/octet-stream' }, body: { base64: Buffer.from([0, 255, 1]).toString('base64') } },
  response: { status: 201, statusText: 'Created', headers: { 'content-type': 'image/png' }, body: { base64: Buffer.from([137, 80, 78, 71, 0, 200]).toString('base64') } },
  timing: { latencyMs: 40 },
}

export const networkError: Interaction = {
  request: { method: 'GET', url: 'https://down.example.com/', headers: {} },
  error: { message: 'connect ECONNREFUSED 127.0.0.1:9', name: 'TypeError', code: 'ECONNREFUSED' },
  timing: { latencyMs: 2 },
}

/** Every shape of interaction a cassette can hold, plus a recorded run. */
export const everyShape: Cassette = CassetteSchema.parse({
  version: 1,
  meta: { recorder: '@retrace/core 0.1.0' },
  run: { result: { answer: 'Sunny' }, test: { file: 'weather.test.ts', name: 'weather in Paris' } },
  interactions: [jsonChat, streamedChat, abortedStream, textResponse, binaryExchange, networkError],
  futureField: { kept: true },
})
