import { describe, expect, test } from 'vitest'
import type { JsonObject } from '@retrace/cassettes'
import { fromAgentCassette, type AgentCassetteEvent } from '../../src/interop/agent-cassette.ts'
import { InteropInputError } from '../../src/interop/interop-input-error.ts'

const event = (fields: Partial<AgentCassetteEvent>): AgentCassetteEvent => ({
  schema_version: 1,
  id: 'e1',
  timestamp: '2025-01-31T09:00:00.000000+00:00',
  type: 'model_call',
  name: 'openai.chat.completions.create',
  input: null,
  output: null,
  metadata: {},
  duration_ms: 250.4,
  cost: null,
  parent_id: null,
  span_id: null,
  ...fields,
})
const jsonl = (...events: object[]) => events.map((item) => JSON.stringify(item)).join('\n') + '\n'
const response = (data: JsonObject): JsonObject => ({ __agent_cassette_response__: true, module: 'openai.types', class: 'ChatCompletion', data })

const completion: JsonObject = {
  id: 'chatcmpl-9',
  object: 'chat.completion',
  created: 1738314000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny.', refusal: null, tool_calls: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
}
const chatKwargs = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], extra_headers: { 'x-trace': '1' }, timeout: 30, extra_body: { user: 'u-1' } }

describe('fromAgentCassette', () => {
  test('an OpenAI SDK call becomes the Chat Completions request and response it stands for', () => {
    const cassette = fromAgentCassette(
      jsonl(event({ input: { args: [], kwargs: chatKwargs }, output: response(completion), metadata: { provider: 'openai', operation: 'chat.completions.create' }, cost: 0.0004 })),
    )
    const [call] = cassette.interactions
    expect(call!.request).toEqual({
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], user: 'u-1' } },
    })
    expect(call!.response).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: { json: completion } })
    expect(call!.timing).toEqual({ latencyMs: 250, durationMs: 250 })
    expect(call!.step).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', output: [{ type: 'text', content: 'Sunny.' }], costUsd: 0.0004, streamed: false })
  })

  test('a recorded stream becomes server-sent events spread over the call, ending in [DONE]', () => {
    const chunk = (content: string | null, finish: string | null) => response({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })
    const cassette = fromAgentCassette(
      jsonl(event({ input: { args: [], kwargs: { ...chatKwargs, stream: true } }, output: { __agent_cassette_stream__: true, chunks: [chunk('Sun', null), chunk('ny', null), chunk(null, 'stop')] }, duration_ms: 300 })),
    )
    const body = cassette.interactions[0]!.response!.body as { sse: Array<{ t: number; text?: string; data?: unknown }> }
    expect(body.sse.map((item) => item.t)).toEqual([0, 150, 300, 300])
    expect(body.sse.at(-1)).toEqual({ t: 300, text: '[DONE]' })
    expect(cassette.interactions[0]!.step).toMatchObject({ streamed: true, output: [{ type: 'text', content: 'Sunny' }] })
  })

  test('an Anthropic SDK call, streamed, keeps its event names', () => {
    const messages: JsonObject[] = [
      { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4', content: [], usage: { input_tokens: 5, output_tokens: 0 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } },
      { type: 'message_stop' },
    ]
    const chunks = messages.map(response)
    const cassette = fromAgentCassette(
      jsonl(event({ name: 'anthropic.messages.create', input: { args: [], kwargs: { model: 'claude-sonnet-4', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] } }, output: { __agent_cassette_stream__: true, chunks } })),
    )
    const call = cassette.interactions[0]!
    expect(call.request.url).toBe('https://api.anthropic.com/v1/messages')
    const events = (call.response!.body as { sse: Array<{ event?: string }> }).sse
    expect(events.map((item) => item.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'])
    expect(call.step).toMatchObject({ provider: 'anthropic', output: [{ type: 'text', content: 'Hi' }], finishReason: 'stop' })
  })

  test('other model calls are synthesised in the Chat Completions shape', () => {
    const warnings: string[] = []
    const cassette = fromAgentCassette(jsonl(event({ name: 'my_llm', input: 'Summarise the news', output: { text: 'Nothing happened.' }, metadata: { model: 'local-7b' } })), {
      onWarning: (message) => warnings.push(message),
    })
    const call = cassette.interactions[0]!
    expect(call.request.body).toEqual({ json: { model: 'local-7b', messages: [{ role: 'user', content: 'Summarise the news' }] } })
    expect(call.response!.body).toEqual({
      json: {
        id: 'chatcmpl-e1',
        object: 'chat.completion',
        created: 1738314000,
        model: 'local-7b',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Nothing happened.' }, finish_reason: 'stop' }],
      },
    })
    expect(call.step).toMatchObject({ provider: 'openai', output: [{ type: 'text', content: 'Nothing happened.' }] })
    expect(warnings).toEqual([expect.stringContaining('my_llm: not OpenAI or Anthropic SDK calls')])
  })

  test('failed calls: HTTP errors as error responses, a failed stream cut short, others as network errors', () => {
    const failed = (output: JsonObject) => event({ type: 'error', input: { args: [], kwargs: chatKwargs }, output, metadata: { provider: 'openai', operation: 'chat.completions.create', _agent_cassette: { call_type: 'model_call' } } })
    const cassette = fromAgentCassette(
      jsonl(
        failed({ type: 'RateLimitError', message: 'Rate limit reached' }),
        failed({ type: 'APITimeoutError', message: 'Request timed out.' }),
        failed({ __agent_cassette_stream__: true, chunks: [], error: { type: 'APIError', message: 'stream broke' } }),
      ),
    )
    const [limited, timedOut, broken] = cassette.interactions
    expect(limited!.response).toMatchObject({ status: 429, body: { json: { error: { message: 'Rate limit reached', type: 'RateLimitError' } } } })
    expect(timedOut!.error).toEqual({ message: 'Request timed out.', name: 'APITimeoutError' })
    expect(timedOut!.response).toBeUndefined()
    expect(broken!.response).toMatchObject({ status: 200, body: { sse: [] }, end: { outcome: 'error', message: 'APIError: stream broke' } })
  })

  test('tool and custom events are left out, with one warning', () => {
    const warnings: string[] = []
    const cassette = fromAgentCassette(
      jsonl(
        event({ input: { args: [], kwargs: chatKwargs }, output: response(completion) }),
        event({ id: 'e2', type: 'tool_call', name: 'get_weather', input: { city: 'Paris' }, output: { temp: 21 } }),
        event({ id: 'e3', type: 'custom', name: 'note' }),
        event({ id: 'e4', type: 'error', name: 'uncaught_exception', output: { message: 'boom' } }),
      ) + '\n\n',
      { onWarning: (message) => warnings.push(message) },
    )
    expect(cassette.interactions).toHaveLength(1)
    expect(warnings).toEqual([expect.stringMatching(/^left out 3 event\(s\) that are not LLM calls \(tool_call ×1, custom ×1, error ×1\)/)])
  })

  test('a file without schema_version is read as v1; another version is refused', () => {
    const { schema_version: _version, ...legacy } = event({ input: { args: [], kwargs: chatKwargs }, output: response(completion) })
    expect(fromAgentCassette(jsonl(legacy)).interactions).toHaveLength(1)
    expect(() => fromAgentCassette(jsonl(legacy, { ...legacy, schema_version: 2 }), { source: 'run.jsonl' })).toThrow(
      /run\.jsonl is not usable as agent-cassette JSONL: line 2: \$\.schema_version: schema version 2 is not supported/,
    )
  })

  test('malformed lines name the line and field', () => {
    expect(() => fromAgentCassette('{"id": 1\n', { source: 'run.jsonl' })).toThrow(/line 1: it is not valid JSON/)
    const bad = { ...event({}), duration_ms: 'slow' }
    expect(() => fromAgentCassette(jsonl(event({ input: { args: [], kwargs: chatKwargs } }), bad), { source: 'run.jsonl' })).toThrow(/line 2: \$\.duration_ms: /)
    expect(() => fromAgentCassette(jsonl({ ...event({}), type: 'llm' }), { source: 'run.jsonl' })).toThrow(/line 1: \$\.type: /)
    expect(() => fromAgentCassette(jsonl(event({ type: 'tool_call' })), { source: 'run.jsonl' })).toThrow(InteropInputError)
  })
})
