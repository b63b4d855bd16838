import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { storeTargets } from '../../test/store-matrix.ts'
import { openStream, startTestServer, type TestServer } from '../../test/test-server.ts'
import { weatherCassette } from '../../test/cassette-fixtures.ts'
import { apiRoutes } from './create-app.ts'
import { CASSETTE_ROUTES } from './routes/cassette-routes.ts'
import { liveRoute } from './routes/live-route.ts'

const AT = '2026-03-01T10:00:00.000Z'
const traceEvents = (traceId: string, sessionId: string): WireEvent[] => [
  { type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: 'support-agent', startedAt: AT, sessionId, tags: ['prod'], input: { question: 'refund?' } } },
  { type: 'span', id: `${traceId}-root`, span: { id: `${traceId}-root`, traceId, kind: 'agent', name: 'support', startedAt: AT, endedAt: AT, durationMs: 5, status: 'ok' } },
  {
    type: 'span',
    id: `${traceId}-llm`,
    span: {
      id: `${traceId}-llm`,
      traceId,
      parentId: `${traceId}-root`,
      kind: 'llm',
      name: 'openai.chat.completions',
      startedAt: AT,
      endedAt: AT,
      durationMs: 2,
      status: 'ok',
      step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user', parts: [{ type: 'text', content: 'refund?' }] }], tools: [], output: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { order: 1 } }], usage: { inputTokens: 12, outputTokens: 4 }, costUsd: 0.001 },
    },
  },
  { type: 'span', id: `${traceId}-tool`, span: { id: `${traceId}-tool`, traceId, parentId: `${traceId}-llm`, kind: 'tool', name: 'lookup', startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok', toolCallId: 'c1', input: { order: 1 }, output: { ok: true } } },
  { type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: AT, status: 'completed', output: 'refunded', totals: { inputTokens: 12, outputTokens: 4, usd: 0.001, durationMs: 5 } } },
]

describe.each(storeTargets())('read API on $engine', (target) => {
  let t: TestServer
  let other: { projectId: string; key: string }
  let aKeyId: string
  let aCassetteTrace: string

  beforeAll(async () => {
    if (!target.available) return
    t = await startTestServer(target)
    await t.call('/v1/events', { json: { type: 'batch', batchId: 'a1', events: traceEvents('tr-a', 'session-a') } })
    aKeyId = (await t.call('/api/v1/keys')).body.keys[0].id
    aCassetteTrace = (await t.call('/api/v1/cassettes', { json: { cassette: weatherCassette() } })).body.trace.id
    const created = await t.call('/api/v1/projects', { json: { name: 'other team' } })
    other = { projectId: created.body.project.id, key: created.body.secret }
  })
  afterAll(async () => {
    await t?.close()
  })

  describe.skipIf(!target.available)('traces and sessions', () => {
    test('one trace: its span tree, each LLM span’s step, the totals', async () => {
      const { status, body } = await t.call('/api/v1/traces/tr-a')
      expect(status).toBe(200)
      expect(body.trace).toMatchObject({ id: 'tr-a', name: 'support-agent', status: 'completed', sessionId: 'session-a', tags: ['prod'], input: { question: 'refund?' }, output: 'refunded' })
      expect(body.trace.totals).toEqual({ inputTokens: 12, outputTokens: 4, usd: 0.001, durationMs: 5, spans: 3, llmCalls: 1, errors: 0 })
      expect(body.spans).toHaveLength(1)
      const llm = body.spans[0].children[0]
      expect(llm.step).toMatchObject({ model: 'gpt-4o-mini', usage: { inputTokens: 12, outputTokens: 4 }, costUsd: 0.001, output: [{ type: 'tool_call', name: 'lookup' }] })
      expect(llm.children[0]).toMatchObject({ kind: 'tool', toolCallId: 'c1', output: { ok: true }, children: [] })
    })

    test('filters and sessions over HTTP; bad query values are 400 naming the parameter', async () => {
      expect((await t.call('/api/v1/traces?tag=prod&status=completed&hasError=false')).body.traces.map((x: { id: string }) => x.id)).toEqual(['tr-a'])
      expect((await t.call('/api/v1/traces?name=nobody')).body.traces).toEqual([])
      expect((await t.call(`/api/v1/traces?from=${encodeURIComponent(AT)}&to=${Date.parse(AT) + 1}&session=session-a`)).body.traces).toHaveLength(1)
      expect((await t.call('/api/v1/sessions')).body.sessions).toMatchObject([{ id: 'session-a', traces: 1, totals: { usd: 0.001 } }])
      expect((await t.call('/api/v1/sessions/session-a')).body.traces.map((x: { id: string }) => x.id)).toEqual(['tr-a'])
      for (const query of ['limit=0', 'limit=abc', 'status=done', 'hasError=maybe', 'from=yesterday', 'cursor=bm90LWEtY3Vyc29y']) {
        const answer = await t.call(`/api/v1/traces?${query}`)
        expect(answer.status, query).toBe(400)
        expect(answer.body.error.code).toBe('bad_request')
        expect(answer.body.error.message).toContain(query.split('=')[0])
      }
    })

    test('unknown routes and missing things are 404 in the one error shape; no key is 401; a read key cannot manage keys (403)', async () => {
      expect(await t.call('/api/v1/nothing-here')).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: expect.any(String) } } })
      expect(await t.call('/api/v1/traces/no-such-trace')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
      expect(await t.call('/api/v1/traces', { key: null })).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } })
      const reader = (await t.call('/api/v1/keys', { json: { name: 'reader', scopes: ['read'] } })).body.secret
      expect((await t.call('/api/v1/traces', { key: reader })).status).toBe(200)
      expect(await t.call('/api/v1/keys', { key: reader })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } })
      expect((await t.call('/api/v1/keys', { json: { scopes: ['root'] } })).status).toBe(400)
    })

    test('the OpenAPI document describes every route, generated from the schemas', async () => {
      const { status, body } = await t.call('/api/v1/openapi.json', { key: null })
      expect(status).toBe(200)
      expect(body.openapi).toBe('3.1.0')
      for (const route of apiRoutes([...CASSETTE_ROUTES, liveRoute])) {
        const operation = body.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method]
        expect(operation, `${route.method} ${route.path}`).toBeDefined()
        expect(operation['x-retrace-scope']).toBe(route.scope)
      }
      const list = body.paths['/api/v1/traces'].get
      expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['name', 'session', 'status', 'tag', 'from', 'to', 'hasError', 'lossy', 'q', 'minCost', 'maxCost', 'sort', 'limit', 'cursor'])
      expect(list.responses['200'].content['application/json'].schema.properties.traces.items.properties.totals.required).toContain('usd')
    })
  })

  describe.skipIf(!target.available)('project isolation: a key of one project never reads or writes another’s data', () => {
    // Every route is listed here; the first test fails when a route is added without a case.
    const cases: Record<string, () => Promise<void>> = {
      'GET /api/v1/traces': async () => {
        const ids = (await t.call('/api/v1/traces', { key: other.key })).body.traces.map((x: { id: string }) => x.id)
        expect(ids).not.toContain('tr-a')
        expect(ids).not.toContain(aCassetteTrace)
      },
      'GET /api/v1/traces/:traceId': async () => {
        expect((await t.call('/api/v1/traces/tr-a', { key: other.key })).status).toBe(404)
      },
      'GET /api/v1/sessions': async () => {
        expect((await t.call('/api/v1/sessions', { key: other.key })).body.sessions.map((s: { id: string }) => s.id)).not.toContain('session-a')
      },
      'GET /api/v1/sessions/:sessionId': async () => {
        expect((await t.call('/api/v1/sessions/session-a', { key: other.key })).status).toBe(404)
      },
      'GET /api/v1/projects': async () => {
        expect((await t.call('/api/v1/projects', { key: other.key })).body.projects.map((p: { id: string }) => p.id)).toEqual([other.projectId])
      },
      'GET /api/v1/projects/:projectId': async () => {
        expect((await t.call(`/api/v1/projects/${t.projectId}`, { key: other.key })).status).toBe(404)
      },
      'PATCH /api/v1/projects/:projectId': async () => {
        expect((await t.call(`/api/v1/projects/${t.projectId}`, { key: other.key, method: 'PATCH', json: { name: 'hijacked' } })).status).toBe(404)
        expect((await t.call(`/api/v1/projects/${t.projectId}`)).body.project.name).toBe('default')
      },
      'POST /api/v1/projects': async () => {
        const made = (await t.call('/api/v1/projects', { key: other.key, json: { name: 'third' } })).body
        expect((await t.call('/api/v1/traces', { key: made.secret })).body.traces).toEqual([])
      },
      'GET /api/v1/keys': async () => {
        const ids = (await t.call('/api/v1/keys', { key: other.key })).body.keys.map((k: { id: string }) => k.id)
        expect(ids).not.toContain(aKeyId)
      },
      'POST /api/v1/keys': async () => {
        const made = (await t.call('/api/v1/keys', { key: other.key, json: { name: 'b2' } })).body
        expect(made.key.projectId).toBe(other.projectId)
        expect((await t.call('/api/v1/traces/tr-a', { key: made.secret })).status).toBe(404)
      },
      'PATCH /api/v1/keys/:keyId': async () => {
        expect((await t.call(`/api/v1/keys/${aKeyId}`, { key: other.key, method: 'PATCH', json: { rateLimit: 1 } })).status).toBe(404)
        expect((await t.call('/api/v1/keys')).body.keys.find((k: { id: string }) => k.id === aKeyId).rateLimit).toBeNull()
      },
      'DELETE /api/v1/keys/:keyId': async () => {
        expect((await t.call(`/api/v1/keys/${aKeyId}`, { key: other.key, method: 'DELETE' })).status).toBe(404)
        expect((await t.call('/api/v1/traces')).status).toBe(200)
      },
      'GET /api/v1/connections': async () => {
        const client = await openStream(t.url, t.key)
        client.send({ type: 'register', sdk: 'a', protocol: 1, resumable: ['a-agent'], instanceId: 'a-instance' })
        await expect.poll(async () => (await t.call('/api/v1/connections')).body.connections.length).toBeGreaterThan(0)
        expect((await t.call('/api/v1/connections', { key: other.key })).body.connections).toEqual([])
        client.socket.close()
      },
      'POST /api/v1/cassettes': async () => {
        const pushed = (await t.call('/api/v1/cassettes', { key: other.key, json: { cassette: weatherCassette() } })).body
        expect(pushed.created).toBe(true)
        expect(pushed.trace.projectId).toBe(other.projectId)
        expect((await t.call(`/api/v1/traces/${aCassetteTrace}`)).body.trace.projectId).toBe(t.projectId)
      },
      'GET /api/v1/traces/:traceId/cassette': async () => {
        const { status } = await t.call(`/api/v1/traces/${aCassetteTrace}-nope/cassette`, { key: other.key })
        expect(status).toBe(404)
        expect((await t.call('/api/v1/traces/tr-a/cassette', { key: other.key })).status).toBe(404)
      },
      'GET /api/v1/live': async () => {
        const controller = new AbortController()
        const response = await t.request('/api/v1/live', { key: other.key, signal: controller.signal })
        const reader = response.body!.getReader()
        await t.call('/v1/events', { json: { type: 'batch', batchId: 'live-a', events: [{ type: 'trace.start', id: 'live-a:start', trace: { id: 'live-a', name: 'a', startedAt: AT } }] } })
        await t.call('/v1/events', { key: other.key, json: { type: 'batch', batchId: 'live-b', events: [{ type: 'trace.start', id: 'live-b:start', trace: { id: 'live-b', name: 'b', startedAt: AT } }] } })
        let text = ''
        // Until the whole event (its data line may come in a later chunk).
        while (!/event: traces\ndata: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value)
        controller.abort()
        expect(text).toContain('live-b')
        expect(text).not.toContain('live-a')
      },
    }

    test('every route has a case', () => {
      const routes = apiRoutes([...CASSETTE_ROUTES, liveRoute]).map((route) => `${route.method.toUpperCase()} ${route.path}`)
      expect(Object.keys(cases).sort()).toEqual(routes.sort())
    })
    test.each(Object.keys(cases))('%s', async (name) => {
      await cases[name]!()
    })

    test('ingest with another project’s trace ids writes only to the key’s own project; policy checks use its own budgets', async () => {
      await t.call(`/api/v1/projects/${t.projectId}`, { method: 'PATCH', json: { budgets: { stepsPerRun: 1 } } })
      const stolen = traceEvents('tr-a', 'session-a').map((event) => (event.type === 'span' ? { ...event, id: `b-${event.id}` } : event))
      // Same account: the start and end ids are the account's already (deduplication is per
      // account, PROTOCOL.md §3.1), so only the renamed spans are new, and they land in B.
      expect((await t.call('/v1/events', { key: other.key, json: { type: 'batch', batchId: 'b1', events: stolen } })).body).toMatchObject({ accepted: 3, duplicates: 2 })
      const client = await openStream(t.url, other.key)
      client.send({ type: 'batch', batchId: 'b2', events: [{ type: 'span', id: 'b-ws', span: { id: 'b-ws', traceId: 'tr-a', kind: 'tool', name: 'x', startedAt: AT, endedAt: AT, durationMs: 0, status: 'error' } }] })
      await client.next((m) => m.type === 'ack')
      client.socket.close()
      expect((await t.call('/api/v1/traces/tr-a')).body.trace.totals).toMatchObject({ spans: 3, errors: 0 })
      expect((await t.call('/api/v1/traces/tr-a', { key: other.key })).body.trace.totals).toMatchObject({ spans: 4, errors: 1 })
      const check = { traceId: 'x', name: 'agent', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 0, steps: 5 } }
      expect((await t.call('/v1/policy/check', { json: check })).body.verdict).toBe('block')
      expect((await t.call('/v1/policy/check', { key: other.key, json: check })).body.verdict).toBe('allow')
    })
  })
})
