import { expect, test } from 'vitest'
import { serializeCassette } from '../format/serialize-cassette.ts'
import type { Cassette } from '../schema/cassette.ts'
import type { Interaction } from '../schema/interaction.ts'
import { stabilizeRecording } from './stabilize-recording.ts'

// A two-step tool loop as a provider would return it: the id of the tool call in response 1
// comes back in request 2. Every recording has fresh ids, timestamps and timings.
function run(ids: { completion: string; call: string; request: string }, answer = 'It is sunny.', latency = 10, port = 4010): Cassette {
  const step1: Interaction = {
    request: { method: 'POST', url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: {}, body: { json: { messages: [{ role: 'user', content: 'Weather?' }] } } },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': ids.request },
      body: { json: { id: ids.completion, created: latency, choices: [{ message: { tool_calls: [{ id: ids.call, function: { name: 'weather', arguments: '{}' } }] } }] } },
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
