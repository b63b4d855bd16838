import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { storeTargets } from '../../test/store-matrix.ts'
import { openStream, startTestServer, type TestServer } from '../../test/test-server.ts'

const AT = '2026-03-01T10:00:00.000Z'
const start = (traceId: string, extra: Record<string, unknown> = {}): WireEvent => ({ type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: 'agent', startedAt: AT, ...extra } }) as WireEvent
const span = (traceId: string, id: string, extra: Record<string, unknown> = {}): WireEvent =>
  ({ type: 'span', id, span: { id, traceId, kind: 'tool', name: 'lookup', startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok', ...extra } }) as WireEvent
const batch = (batchId: string, events: unknown[]) => ({ type: 'batch', batchId, events })
const MiB = 1024 * 1024

describe.each(storeTargets())('ingest on $engine', (target) => {
  let t: TestServer
  let readOnlyKey: string

  beforeAll(async () => {
    if (!target.available) return
    t = await startTestServer(target)
    readOnlyKey = (await t.call('/api/v1/keys', { json: { name: 'dashboard', scopes: ['read'] } })).body.secret
  })
  afterAll(async () => {
    await t?.close()
  })

  describe.skipIf(!target.available)('POST /v1/events', () => {
    test('stores a batch, answers its counts, rejects invalid events one by one, and counts a resend as duplicates', async () => {
      const body = batch('h1', [start('th1'), span('th1', 'th1-a'), { type: 'span', id: 'bad-1', span: { id: 'bad-1' } }, { nope: true }])
      const first = await t.call('/v1/events', { json: body })
      expect(first.status).toBe(200)
      expect(first.body).toMatchObject({ batchId: 'h1', accepted: 2, duplicates: 0 })
      expect(first.body.rejected.map((r: { id: string }) => r.id)).toEqual(['bad-1', ''])
      expect(first.body.rejected[0].message).toMatch(/^span\./)
      // Resent as the journal sends it: same bytes, with a trailing newline.
      const again = await t.call('/v1/events', { method: 'POST', body: `${JSON.stringify(body)}\n`, headers: { 'content-type': 'application/json' } })
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 })
      const trace = await t.call('/api/v1/traces/th1')
      expect(trace.body.trace.totals.spans).toBe(1)
    })

    test('refuses what is not a batch with 400, a body over 16 MiB with 413, in the protocol’s error body', async () => {
      const notBatch = await t.call('/v1/events', { json: { hello: 'world' } })
      expect(notBatch.status).toBe(400)
      expect(notBatch.body).toMatchObject({ code: 'bad_request', error: { code: 'bad_request' } })
      expect((await t.call('/v1/events', { method: 'POST', body: '{"type":"batch",' })).status).toBe(400)
      const huge = JSON.stringify(batch('big', [span('tbig', 'tbig-1', { output: 'x'.repeat(17 * MiB) })]))
      const tooLarge = await t.call('/v1/events', { method: 'POST', body: huge })
      expect(tooLarge.status).toBe(413)
      // 16 MiB itself is accepted (PROTOCOL.md §4).
      const fits = JSON.stringify(batch('fits', [span('tfit', 'tfit-1', { output: 'x'.repeat(16 * MiB - 400) })]))
      expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(16 * MiB)
      expect((await t.call('/v1/events', { method: 'POST', body: fits })).body).toMatchObject({ accepted: 1 })
    })

    test('401 without a key or with an unknown one, 403 for a key without the ingest scope', async () => {
      expect((await t.call('/v1/events', { json: batch('a', []), key: null })).status).toBe(401)
      const unknown = await t.call('/v1/events', { json: batch('a', []), key: 'rt_live_notakey' })
      expect(unknown.status).toBe(401)
      expect(unknown.body).toMatchObject({ code: 'auth', error: { code: 'unauthorized' } })
      expect((await t.call('/v1/events', { json: batch('a', []), key: readOnlyKey })).status).toBe(403)
    })

    test('a trace.start naming another project is rejected, the rest of the batch stored', async () => {
      const result = await t.call('/v1/events', { json: batch('h-proj', [start('tp1', { projectId: 'p_someone_else' }), start('tp2', { projectId: t.projectId })]) })
      expect(result.body.accepted).toBe(1)
      expect(result.body.rejected[0]).toMatchObject({ id: 'tp1:start' })
      expect(result.body.rejected[0].message).toContain('is not the project of this API key')
    })
  })

  describe.skipIf(!target.available)('POST /v1/policy/check', () => {
    test('answers from the project’s budgets: steps and USD per run, USD per day', async () => {
      const check = (totals: Record<string, number>) => t.call('/v1/policy/check', { json: { traceId: 'tr', name: 'agent', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 0, steps: 0, ...totals } } })
      expect((await check({ steps: 50 })).body).toEqual({ verdict: 'allow' })
      await t.call(`/api/v1/projects/${t.projectId}`, { method: 'PATCH', json: { budgets: { stepsPerRun: 10, usdPerRun: 1 } } })
      expect((await check({ steps: 10 })).body).toEqual({ verdict: 'block', reason: 'run step limit of 10 reached' })
      expect((await check({ steps: 3, usd: 1.5 })).body).toEqual({ verdict: 'block', reason: 'run budget of $1 reached' })
      expect((await check({ steps: 3, usd: 0.5 })).body).toEqual({ verdict: 'allow' })
      await t.call('/v1/events', { json: batch('spend', [span('tspend', 'tspend-1', { kind: 'llm', step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', streamed: false, complete: true, input: [], tools: [], output: [], costUsd: 2.5 } })]) })
      await t.call(`/api/v1/projects/${t.projectId}`, { method: 'PATCH', json: { budgets: { usdPerDay: 2, stepsPerRun: null, usdPerRun: null } } })
      expect((await check({})).body).toEqual({ verdict: 'block', reason: 'project daily budget of $2 reached' })
      await t.call(`/api/v1/projects/${t.projectId}`, { method: 'PATCH', json: { budgets: { usdPerDay: null } } })
      expect((await check({})).body).toEqual({ verdict: 'allow' })
      const invalid = await t.call('/v1/policy/check', { json: { traceId: 1 } })
      expect(invalid.status).toBe(400)
    })
  })

  describe.skipIf(!target.available)('the /v1/stream WebSocket', () => {
    test('acknowledges a batch once it is stored (readable at once), with rejected events listed', async () => {
      const client = await openStream(t.url, t.key)
      client.send({ type: 'register', sdk: 'test', protocol: 1, resumable: [] })
      client.send(`${JSON.stringify(batch('w1', [start('tw1'), span('tw1', 'tw1-a'), { type: 'trace.end', id: 'x' }]))}\n`)
      const ack = await client.next((m) => m.type === 'ack' && m.batchId === 'w1')
      expect(ack).toMatchObject({ accepted: 2, duplicates: 0, rejected: [{ id: 'x' }] })
      expect((await t.call('/api/v1/traces/tw1')).body.trace.totals.spans).toBe(1)
      client.socket.close()
    })

    test('a frame over 16 MiB is refused as bad_request naming its batch, and the connection goes on', async () => {
      const client = await openStream(t.url, t.key)
      client.send(JSON.stringify(batch('w-big', [span('twbig', 'twbig-1', { output: 'x'.repeat(17 * MiB) })])))
      expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_request', batchId: 'w-big' })
      client.send(batch('w-after', [span('twbig', 'twbig-2')]))
      expect(await client.next((m) => m.type === 'ack')).toMatchObject({ batchId: 'w-after', accepted: 1 })
      client.socket.close()
    })

    test('keeps the latest register of each connection, for resume', async () => {
      const client = await openStream(t.url, t.key)
      client.send({ type: 'register', sdk: '@retrace/core 0.1.0', protocol: 1, resumable: ['triage'], instanceId: 'inst-1', runtime: 'node v24' })
      client.send({ type: 'register', sdk: '@retrace/core 0.1.0', protocol: 1, resumable: ['support-agent', 'triage'], instanceId: 'inst-1', runtime: 'node v24' })
      client.send({ type: 'future-message', hello: 1 })
      client.send(batch('w-reg', []))
      await client.next((m) => m.type === 'ack' && m.batchId === 'w-reg')
      const mine = async () => (await t.call('/api/v1/connections')).body.connections.filter((c: { instanceId: string }) => c.instanceId === 'inst-1')
      // Saved in the order received (the earlier register never overwrites the later one).
      await expect.poll(async () => (await mine())[0]?.resumable).toEqual(['support-agent', 'triage'])
      expect(await mine()).toMatchObject([{ sdk: '@retrace/core 0.1.0', runtime: 'node v24' }])
      client.socket.close()
      await client.closed
      await expect.poll(mine).toEqual([])
    })

    test('refuses upgrades without a key (401) or with a read-only key (403) as plain HTTP', async () => {
      await expect(openStream(t.url, undefined)).rejects.toMatchObject({ status: 401 })
      await expect(openStream(t.url, readOnlyKey)).rejects.toMatchObject({ status: 403 })
    })

    test('a revoked key is refused at once: its open connection closes with 4401, new ones get 401', async () => {
      const made = (await t.call('/api/v1/keys', { json: { name: 'to-revoke', scopes: ['ingest'] } })).body
      const client = await openStream(t.url, made.secret)
      client.send(batch('w-rev', [start('trev')]))
      await client.next((m) => m.type === 'ack')
      expect((await t.call(`/api/v1/keys/${made.key.id}`, { method: 'DELETE' })).status).toBe(200)
      expect(await client.closed).toMatchObject({ code: 4401 })
      expect(client.messages.at(-1)).toMatchObject({ type: 'error', code: 'auth' })
      await expect(openStream(t.url, made.secret)).rejects.toMatchObject({ status: 401 })
      expect((await t.call('/v1/events', { json: batch('a', []), key: made.secret })).status).toBe(401)
    })

    test('a frame that is not JSON and names no batch closes the connection after an error', async () => {
      const client = await openStream(t.url, t.key)
      client.send('\u0000garbage')
      expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_request' })
      expect((await client.closed).code).toBe(1008)
    })
  })

  describe.skipIf(!target.available)('limits', () => {
    test('rate limit per key: 429 with Retry-After over HTTP, error + 4429 on the stream', async () => {
      const limited = await startTestServer(target, { rateLimit: 3 })
      try {
        const answers = []
        for (let i = 0; i < 6; i++) answers.push(await limited.call('/v1/events', { json: batch(`r${i}`, []) }))
        const refused = answers.find((answer) => answer.status === 429)!
        expect(refused).toBeDefined()
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
        expect(refused.body).toMatchObject({ code: 'rate_limited', error: { code: 'rate_limited' } })
        await new Promise((resolve) => setTimeout(resolve, 1100))
        const client = await openStream(limited.url, limited.key)
        for (let i = 0; i < 6; i++) client.send(batch(`ws${i}`, []))
        expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'rate_limited', retryAfterSeconds: expect.any(Number) })
        expect((await client.closed).code).toBe(4429)
      } finally {
        await limited.close()
      }
    })

    test('a key’s own rate limit (set at creation or with PATCH) replaces the server’s, on HTTP, the stream and the read API', async () => {
      const limited = await startTestServer(target, { rateLimit: 3 })
      try {
        // An admin key without a limit of its own making (0), for the calls below.
        const admin = (await limited.call('/api/v1/keys', { json: { name: 'ops', scopes: ['admin'], rateLimit: 0 } })).body.secret
        const created = await limited.call('/api/v1/keys', { key: admin, json: { name: 'batch job', scopes: ['ingest', 'read'], rateLimit: 1 } })
        expect(created.body.key.rateLimit).toBe(1)
        expect((await limited.call('/api/v1/keys', { key: admin, json: { rateLimit: -1 } })).body.error.message).toMatch(/^rateLimit: /)
        const slow = created.body.secret
        expect((await limited.call('/v1/events', { key: slow, json: batch('k1', []) })).status).toBe(200)
        const refused = await limited.call('/v1/events', { key: slow, json: batch('k2', []) })
        expect(refused.status).toBe(429)
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0.5)
        expect((await limited.call('/api/v1/traces', { key: slow })).status).toBe(429)
        // Lifted for this key only (0: no limit): eight calls in a row pass.
        const lifted = await limited.call(`/api/v1/keys/${created.body.key.id}`, { key: admin, method: 'PATCH', json: { rateLimit: 0 } })
        expect(lifted.body.key).toMatchObject({ rateLimit: 0, name: 'batch job' })
        for (let i = 0; i < 8; i++) expect((await limited.call('/v1/events', { key: slow, json: batch(`k-free-${i}`, []) })).status).toBe(200)
        const client = await openStream(limited.url, slow)
        for (let i = 0; i < 8; i++) client.send(batch(`ws-free-${i}`, []))
        await client.next((m) => m.type === 'ack' && m.batchId === 'ws-free-7')
        expect(client.messages.filter((m) => m.type === 'error')).toEqual([])
        client.socket.close()
        // Back to the server's default.
        expect((await limited.call(`/api/v1/keys/${created.body.key.id}`, { key: admin, method: 'PATCH', json: { rateLimit: null } })).body.key.rateLimit).toBeNull()
        const statuses: number[] = []
        for (let i = 0; i < 5; i++) statuses.push((await limited.call('/v1/events', { key: slow, json: batch(`k-back-${i}`, []) })).status)
        expect(statuses).toContain(429)
      } finally {
        await limited.close()
      }
    })

    test('a project over its daily event quota gets 402 (HTTP) and credits_exhausted + 4402 (stream)', async () => {
      const quota = await startTestServer(target)
      try {
        await quota.call(`/api/v1/projects/${quota.projectId}`, { method: 'PATCH', json: { maxEventsPerDay: 2 } })
        expect((await quota.call('/v1/events', { json: batch('q1', [start('tq'), span('tq', 'tq-1')]) })).body.accepted).toBe(2)
        const refused = await quota.call('/v1/events', { json: batch('q2', [span('tq', 'tq-2')]) })
        expect(refused.status).toBe(402)
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
        const client = await openStream(quota.url, quota.key)
        client.send(batch('q3', [span('tq', 'tq-3')]))
        expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'credits_exhausted' })
        expect((await client.closed).code).toBe(4402)
      } finally {
        await quota.close()
      }
    })

    test('graceful close acknowledges the batch in flight before the connection closes', async () => {
      const stopping = await startTestServer(target)
      const client = await openStream(stopping.url, stopping.key)
      const events = Array.from({ length: 5000 }, (_, i) => span('tclose', `tclose-${i}`))
      client.send(batch('last', events))
      // Received and being stored (PostgreSQL), or already stored (SQLite writes it within the
      // tick that receives it): either way the stop must not lose its ack.
      await expect.poll(() => stopping.server.inFlight === 1 || client.messages.length > 0, { interval: 1, timeout: 30_000 }).toBe(true)
      await stopping.close()
      const closed = await client.closed
      expect(closed.code).toBe(1001)
      expect(client.messages.find((m) => m.batchId === 'last')).toMatchObject({ type: 'ack', accepted: 5000 })
    })
  })
})
