import { describe, expect, test } from 'vitest'
import type { JsonValue } from '../json/json-value.ts'
import { serializeCassette } from '../format/serialize-cassette.ts'
import type { Cassette } from '../schema/cassette.ts'
import type { Interaction } from '../schema/interaction.ts'
import { stabilizeRecording } from './stabilize-recording.ts'

// A two-step tool loop as a provider would return it: the id of the tool call in response 1
// comes back in request 2. Every recording has fresh ids, timestamps and timings.
function run(
  ids: { completion: string; call: string; request: string },
  answer = 'It is sunny.',
  latency = 10,
  port = 4010,
  headers: Record<string, string> = {},
): Cassette {
  const step1: Interaction = {
    request: { method: 'POST', url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: {}, body: { json: { messages: [{ role: 'user', content: 'Weather?' }] } } },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': ids.request, ...headers },
      body: { json: { id: ids.completion, created: 1767225600 + latency, choices: [{ message: { tool_calls: [{ id: ids.call, function: { name: 'weather', arguments: '{}' } }] } }] } },
    },
    timing: { latencyMs: latency },
  }
  const step2: Interaction = {
    request: {
      method: 'POST',
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
      headers: {},
      body: { json: { messages: [{ role: 'user', content: 'Weather?' }, { role: 'tool', tool_call_id: ids.call, content: 'sunny' }] } },
    },
    response: { status: 200, headers: { 'content-type': 'text/event-stream' }, body: { sse: [{ t: latency, data: { id: ids.completion + 'b', delta: answer } }] } },
    timing: { latencyMs: latency * 2 },
  }
  return { version: 1, meta: { recorder: 'test' }, interactions: [step1, step2] }
}

test('an unchanged run re-recorded with new ids, timings and local port is byte-identical', () => {
  const first = run({ completion: 'chatcmpl-AAAAAA', call: 'call_AAAAAA', request: 'req_AAAAAA' })
  const second = run({ completion: 'chatcmpl-BBBBBB', call: 'call_BBBBBB', request: 'req_BBBBBB' }, 'It is sunny.', 37, 51234)
  expect(serializeCassette(stabilizeRecording(first, second))).toBe(serializeCassette(first))
})

test('a changed step is written, with ids mapped back so the cassette stays consistent', () => {
  const first = run({ completion: 'chatcmpl-AAAAAA', call: 'call_AAAAAA', request: 'req_AAAAAA' })
  const second = run({ completion: 'chatcmpl-BBBBBB', call: 'call_BBBBBB', request: 'req_BBBBBB' }, 'It is raining.', 37)
  const stable = stabilizeRecording(first, second)
  expect(stable.interactions[0]).toBe(first.interactions[0])
  const request = stable.interactions[1]!.request.body as { json: { messages: Array<{ tool_call_id?: string }> } }
  // The preserved step 1 says call_AAAAAA, so the re-recorded step 2 must send it back too.
  expect(request.json.messages[1]!.tool_call_id).toBe('call_AAAAAA')
  expect(JSON.stringify(stable.interactions[1]!.response)).toContain('It is raining.')
})

test('without a previous recording the fresh one is used as is', () => {
  const fresh = run({ completion: 'chatcmpl-CCCCCC', call: 'call_CCCCCC', request: 'req_CCCCCC' })
  expect(stabilizeRecording(undefined, fresh)).toBe(fresh)
})

// What a real provider sends on every call, differing each time even when the answer does not.
const noisyHeaders = (n: number): Record<string, string> => ({
  'anthropic-organization-id': `0b6c6a4e-4d7e-4c2a-9d1b-00000000000${n}`,
  'anthropic-ratelimit-unified-reset': String(1767225600 + n),
  'x-ratelimit-remaining-tokens-usage-based': String(29990 - n),
  'x-ratelimit-limit-requests': n % 2 ? '10000' : '5000',
  'cf-ray': `9a1b2c3d4e5f60${n}-CDG`,
  'set-cookie': `__cf_bm=${'abc'.repeat(n)}; path=/; HttpOnly; Secure`,
  'x-envoy-upstream-service-time': String(100 + n),
  'openai-processing-ms': String(200 + n),
})

test('response headers that vary per call leave an unchanged run byte-identical', () => {
  const first = run({ completion: 'chatcmpl-AAAAAA', call: 'call_AAAAAA', request: 'req_AAAAAA' }, 'It is sunny.', 10, 4010, noisyHeaders(1))
  const second = run({ completion: 'chatcmpl-BBBBBB', call: 'call_BBBBBB', request: 'req_BBBBBB' }, 'It is sunny.', 37, 51234, noisyHeaders(2))
  expect(serializeCassette(stabilizeRecording(first, second))).toBe(serializeCassette(first))
})

test('a response header replay acts on still makes the step new', () => {
  const first = run({ completion: 'chatcmpl-AAAAAA', call: 'call_AAAAAA', request: 'req_AAAAAA' }, 'It is sunny.', 10, 4010, { 'retry-after': '1' })
  const second = run({ completion: 'chatcmpl-BBBBBB', call: 'call_BBBBBB', request: 'req_BBBBBB' }, 'It is sunny.', 10, 4010, { 'retry-after': '30' })
  expect(stabilizeRecording(first, second).interactions[0]!.response!.headers['retry-after']).toBe('30')
})

describe('the run result stays consistent with the interactions kept', () => {
  const withResult = (cassette: Cassette, result: JsonValue): Cassette => ({ ...cassette, run: { result, test: { file: 'a.test.ts', name: 'agent' } } })
  // An agent framework's result quotes provider ids: as values, as object keys, inside text,
  // the request id header and the response's creation time.
  const resultOf = (ids: { completion: string; call: string; request: string }, created: number): JsonValue => ({
    lastResponseId: ids.completion,
    requestId: ids.request,
    invocations: { [ids.call]: { status: 'done' } },
    log: `called ${ids.call} in ${ids.completion}`,
    providerData: { created_at: created },
  })
  const a = { completion: 'chatcmpl-AAAAAA', call: 'call_AAAAAAAAAAAA', request: 'req_AAAAAA' }
  const b = { completion: 'chatcmpl-BBBBBB', call: 'call_BBBBBBBBBBBB', request: 'req_BBBBBB' }

  test('an unchanged run re-recorded (vitest -u) is the same file, result included', () => {
    const first = withResult(run(a), resultOf(a, 1767225610))
    const second = withResult(run(b, 'It is sunny.', 37), resultOf(b, 1767225637))
    expect(serializeCassette(stabilizeRecording(first, second))).toBe(serializeCassette(first))
  })

  test('a changed result is written with the ids of the interactions it is stored with', () => {
    const first = withResult(run(a), resultOf(a, 1767225610))
    const second = withResult(run(b, 'It is sunny.', 37), { ...(resultOf(b, 1767225637) as object), summary: 'new field' })
    const stable = stabilizeRecording(first, second)
    expect(stable.interactions).toEqual(first.interactions)
    expect(stable.run!.result).toEqual({ ...(resultOf(a, 1767225610) as object), summary: 'new field' })
  })

  test('a result quoting a value the kept interactions cannot give back is recorded from scratch', () => {
    const first = withResult(run(a, 'It is sunny.', 10, 4010, { 'x-ratelimit-remaining-requests': '41' }), { remaining: '41' })
    const second = withResult(run(b, 'It is sunny.', 37, 4010, { 'x-ratelimit-remaining-requests': '40' }), { remaining: '40' })
    expect(stabilizeRecording(first, second)).toBe(second)
  })
})
