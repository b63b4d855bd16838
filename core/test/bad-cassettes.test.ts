import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MAX_STORED_JSON_DEPTH, readCassetteFile } from '@retrace/cassettes'
import { CassetteFormatError, startCassette } from '../src/index.ts'
import { tempCassettePath } from '../../test-support/temp-dir.ts'

// Corrupt and hostile cassettes meet replay: each is refused when the cassette starts, with a
// typed error naming the file, the JSON path and the fix, instead of an untyped error on the
// first replayed request. And a live answer too deep for JSON is still recorded.

const URL_ = 'https://api.example.com/v1/chat/completions'
const REQUEST = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

/** A one-interaction cassette; `response` is raw JSON text for the response body's `json`. */
function cassetteText(options: { response?: string; request?: string; headers?: string } = {}): string {
  return `{
  "version": 1,
  "interactions": [
    {
      "request": { "method": "POST", "url": "${URL_}", "headers": {}, "body": { "json": ${options.request ?? JSON.stringify(REQUEST)} } },
      "response": { "status": 200, "headers": ${options.headers ?? '{ "content-type": "application/json" }'}, "body": { "json": ${options.response ?? '{ "ok": true }'} } }
    }
  ]
}
`
}

function startError(text: string): { file: string; error: unknown } {
  const file = tempCassettePath()
  writeFileSync(file, text)
  try {
    const handle = startCassette(file, { mode: 'replay' })
    void handle.stop()
    return { file, error: undefined }
  } catch (error) {
    return { file, error }
  }
}

describe('a bad cassette is refused when replay starts, with a typed error', () => {
  test.each([
    ['a response body nested 10,000 levels', cassetteText({ response: `{ "deep": ${deepArray(10_000)} }` }), 'too-deep', /^\$\.interactions\[0\]\.response\.body\.json\.deep(\[0\])+$/],
    ['a request body nested 10,000 levels', cassetteText({ request: deepArray(10_000) }), 'too-deep', /^\$\.interactions\[0\]\.request\.body\.json(\[0\])+$/],
    ['a header value with a non-Latin-1 character', cassetteText({ headers: '{ "x-note": "€ 5" }' }), 'invalid-schema', /^\$\.interactions\[0\]\.response\.headers\['x-note'\]$/],
    ['a number beyond a double (1e309)', cassetteText({ response: '{ "usage": { "total_tokens": 1e309 } }' }), 'number-out-of-range', /^\$\.interactions\[0\]\.response\.body\.json\.usage\.total_tokens$/],
    ['a duplicate key', cassetteText({ response: '{ "id": "a", "id": "b" }' }), 'duplicate-key', /^\$\.interactions\[0\]\.response\.body\.json$/],
  ])('%s', (_name, text, problem, path) => {
    const { file, error } = startError(text)
    expect(error).toBeInstanceOf(CassetteFormatError)
    const format = error as CassetteFormatError
    expect(format.problem).toBe(problem)
    expect(format.file).toBe(file)
    expect(format.path).toMatch(path)
    expect(format.message).toContain(file)
    expect(format.hint).toBeTruthy()
  })

  test('invalid UTF-8 is refused instead of replaying U+FFFD', () => {
    const file = tempCassettePath()
    const [before, after] = cassetteText({ response: '{ "text": "caf@" }' }).split('@')
    writeFileSync(file, Buffer.concat([Buffer.from(before!), Buffer.from([0xe9]), Buffer.from(after!)]))
    expect(() => startCassette(file, { mode: 'replay' })).toThrow(/is not valid UTF-8: byte 0xe9 at line 6, column \d+ \(byte \d+\), in \$\.interactions\[0\]\.response\.body\.json\.text/)
  })
})

describe('recording an answer nested deeper than a cassette can store', () => {
  let server: Server
  let origin: string
  const replies: Record<string, { type: string; body: string }> = {}
  beforeAll(async () => {
    server = createServer((request, response) => {
      const reply = replies[request.url ?? '']!
      response.writeHead(200, { 'content-type': reply.type })
      response.end(reply.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  async function recordAndReplay(path: string, reply: { type: string; body: string }) {
    replies[path] = reply
    const file = tempCassettePath()
    const recording = startCassette(file, { mode: 'record' })
    const live = await (await recording.fetch(`${origin}${path}`, { method: 'POST', body: JSON.stringify(REQUEST) })).text()
    const summary = await recording.stop()
    const stored = readCassetteFile(file)!
    const replaying = startCassette(file, { mode: 'replay' })
    const replayed = await (await replaying.fetch(`${origin}${path}`, { method: 'POST', body: JSON.stringify(REQUEST) })).text()
    await replaying.stop()
    return { live, replayed, summary, stored }
  }

  test('a JSON body nested 3,000 levels is written as text and replays byte for byte (stop() threw and wrote nothing)', async () => {
    const body = `{"id":"x","deep":${deepArray(3_000)}}`
    const { live, replayed, summary, stored } = await recordAndReplay('/deep-json', { type: 'application/json', body })
    expect(live).toBe(body)
    expect(summary.written).toBe(true)
    expect(stored.interactions[0]!.response!.body).toEqual({ text: body })
    expect(replayed).toBe(body)
  })

  test('a streamed event that deep keeps its text; shallower events stay JSON', async () => {
    const body = `data: {"n":1}\n\ndata: {"deep":${deepArray(3_000)}}\n\ndata: [DONE]\n\n`
    const { replayed, stored } = await recordAndReplay('/deep-sse', { type: 'text/event-stream', body })
    expect(replayed).toBe(body)
    const events = (stored.interactions[0]!.response!.body as { sse: Array<{ data?: unknown; text?: string }> }).sse
    expect(events[0]!.data).toEqual({ n: 1 })
    expect(events[1]!.text).toBe(`{"deep":${deepArray(3_000)}}`)
  })

  test('tool-call arguments that deep stay the string they came as in the step', async () => {
    const args = `{"a":${deepArray(3_000)}}`
    const completion = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }] } }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }
    const { stored } = await recordAndReplay('/v1/chat/completions', { type: 'application/json', body: JSON.stringify(completion) })
    expect(stored.interactions[0]!.step!.output).toEqual([{ type: 'tool_call', id: 'call_1', name: 'f', arguments: args }])
  })

  test(`a body exactly ${MAX_STORED_JSON_DEPTH} levels deep is still stored as JSON`, async () => {
    const body = `{"deep":${deepArray(MAX_STORED_JSON_DEPTH - 1)}}`
    const { replayed, stored } = await recordAndReplay('/limit', { type: 'application/json', body })
    expect(stored.interactions[0]!.response!.body).toHaveProperty('json')
    expect(replayed).toBe(body)
  })
})
