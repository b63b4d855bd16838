import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { weatherCassette } from '../../../test/cassette-fixtures.ts'
import { storeTargets } from '../../../test/store-matrix.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

describe.each(storeTargets())('cassettes in and out on $engine', (target) => {
  let t: TestServer
  beforeAll(async () => {
    if (target.available) t = await startTestServer(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  test.skipIf(!target.available)('a pushed cassette is a trace of its steps with git metadata; the same content again is the same trace; pull returns it', async () => {
    const git = { repository: 'https://example.com/acme/agent.git', branch: 'main', commit: 'abc123', testFile: 'test/weather.test.ts', testName: 'weather in Paris' }
    const first = await t.call('/api/v1/cassettes', { json: { cassette: weatherCassette(), git } })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ created: true, trace: { source: 'cassette', status: 'completed', name: 'weather.test.ts › weather in Paris', git, totals: { llmCalls: 1, inputTokens: 12, outputTokens: 6 } } })
    // Key order and whitespace do not change the content hash.
    const reordered = JSON.parse(JSON.stringify({ interactions: weatherCassette().interactions, run: weatherCassette().run, meta: weatherCassette().meta, version: 1 }))
    const again = await t.call('/api/v1/cassettes', { json: { cassette: reordered } })
    expect(again).toMatchObject({ status: 200, body: { created: false, trace: { id: first.body.trace.id } } })
    const { body } = await t.call(`/api/v1/traces/${first.body.trace.id}`)
    expect(body.spans[0]).toMatchObject({ kind: 'llm', step: { model: 'gpt-4o-mini', output: [{ type: 'text', content: 'Sunny, 21 °C.' }] } })
    const pulled = await t.call(`/api/v1/traces/${first.body.trace.id}/cassette`)
    expect(pulled.body).toEqual(weatherCassette())
  })

  test.skipIf(!target.available)('a cassette holding a secret is refused with its JSON path and nothing is stored; an invalid one is refused with its path', async () => {
    const leaky = weatherCassette('leaky')
    leaky.interactions[0]!.request.headers.authorization = 'Bearer ' + 'sk-' + 'proj-' + 'x'.repeat(30)
    const before = (await t.call('/api/v1/traces')).body.traces.length
    const refused = await t.call('/api/v1/cassettes', { json: { cassette: leaky } })
    expect(refused.status).toBe(422)
    expect(refused.body.error).toMatchObject({ code: 'secret_found' })
    expect(refused.body.error.message).toContain('$.interactions[0].request.headers.authorization')
    expect(refused.body.error.message).not.toContain('xxxxxxxx')
    const invalid = await t.call('/api/v1/cassettes', { json: { cassette: { version: 1, interactions: [{ request: { method: 'GET' } }] } } })
    expect(invalid.status).toBe(422)
    expect(invalid.body.error).toEqual({ code: 'invalid_cassette', message: expect.stringContaining('$.interactions[0].request.url') })
    expect((await t.call('/api/v1/cassettes', { json: { cassette: { version: 2, interactions: [] } } })).body.error.message).toContain('format v2')
    expect((await t.call('/api/v1/traces')).body.traces.length).toBe(before)
  })

  test.skipIf(!target.available)('a trace streamed without the HTTP exchanges of its LLM calls has no cassette to pull (422 no_cassette), an unknown one is 404', async () => {
    const at = new Date().toISOString()
    const step = { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', streamed: false, complete: true, input: [], tools: [], output: [] }
    const span = { id: 'sdk-1-llm', traceId: 'sdk-1', kind: 'llm', name: 'openai.chat.completions', startedAt: at, endedAt: at, durationMs: 1, status: 'ok', step }
    await t.call('/v1/events', { json: { type: 'batch', batchId: 'sdk', events: [{ type: 'trace.start', id: 'sdk-1:start', trace: { id: 'sdk-1', name: 'a', startedAt: at } }, { type: 'span', id: span.id, span }] } })
    const refused = await t.call('/api/v1/traces/sdk-1/cassette')
    expect(refused.status).toBe(422)
    expect(refused.body.error).toMatchObject({ code: 'no_cassette', message: expect.stringContaining('1 of 1 LLM call(s) without their HTTP exchange') })
    expect((await t.call('/api/v1/traces/nothing/cassette')).status).toBe(404)
  })
})
