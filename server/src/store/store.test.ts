import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { storeTargets } from '../../test/store-matrix.ts'
import { generateApiKey } from '../auth/api-keys.ts'
import { StoreSchemaTooNewError } from '../errors/server-errors.ts'
import { openStore } from './open-store.ts'
import { MIGRATIONS, SCHEMA_VERSION, migrate } from './sql/migrations.ts'
import { decodeCursor } from './sql/row-mapping.ts'
import { openSqlite } from './sqlite/sqlite-client.ts'
import { openPostgres } from './postgres/postgres-client.ts'
import type { ProjectRecord, Store } from './store.ts'

const AT = '2026-03-01T10:00:00.000Z'
const at = (seconds: number) => new Date(Date.parse(AT) + seconds * 1000).toISOString()

function start(traceId: string, extra: Record<string, unknown> = {}, seconds = 0): WireEvent {
  return { type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: 'agent', startedAt: at(seconds), ...extra } } as WireEvent
}
function span(traceId: string, id: string, extra: Record<string, unknown> = {}): WireEvent {
  return { type: 'span', id, span: { id, traceId, kind: 'tool', name: 'get_weather', startedAt: at(1), endedAt: at(2), durationMs: 1000, status: 'ok', ...extra } } as WireEvent
}
function end(traceId: string, extra: Record<string, unknown> = {}): WireEvent {
  return { type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: at(3), status: 'completed', totals: { inputTokens: 10, outputTokens: 5, usd: 0.01, durationMs: 3000 }, ...extra } } as WireEvent
}
const llmStep = { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [], tools: [], output: [{ type: 'text', content: 'hi' }], usage: { inputTokens: 7, outputTokens: 3 }, costUsd: 0.002 }

describe.each(storeTargets())('the $engine store', (target) => {
  let store: Store
  let project: ProjectRecord

  beforeAll(async () => {
    if (!target.available) return
    store = await openStore(await target.freshUrl())
    const created = await store.bootstrap(generateApiKey())
    project = created!.project
  })
  afterAll(async () => {
    await store?.close()
  })

  describe.skipIf(!target.available)('contract', () => {
    test('first start makes one project; later starts make none', async () => {
      expect(project.name).toBe('default')
      expect(await store.bootstrap(generateApiKey())).toBeUndefined()
    })

    test('stores each event id once per account, counts repeats as duplicates, and rebuilds a trace from events in any order', async () => {
      const first = await store.ingest([{ accountId: project.accountId, projectId: project.id, events: [end('t-order'), span('t-order', 's2', { parentId: 's1' })] }])
      expect(first.counts).toEqual([{ accepted: 2, duplicates: 0 }])
      const second = await store.ingest([
        { accountId: project.accountId, projectId: project.id, events: [span('t-order', 's1'), start('t-order', { tags: ['prod'], sessionId: 'sess-1' }), span('t-order', 's2')] },
        { accountId: project.accountId, projectId: project.id, events: [span('t-order', 's1'), end('t-order')] },
      ])
      expect(second.counts).toEqual([{ accepted: 2, duplicates: 1 }, { accepted: 0, duplicates: 2 }])
      const found = await store.getTrace(project.id, 't-order')
      expect(found?.trace).toMatchObject({ name: 'agent', status: 'completed', sessionId: 'sess-1', tags: ['prod'], startedAt: AT, totals: { spans: 2, inputTokens: 10, usd: 0.01, durationMs: 3000 } })
      expect(found?.spans.map((s) => s.id).sort()).toEqual(['s1', 's2'])
    })

    test('the same event id from another account is a different event', async () => {
      const other = await store.createProject('acct_other', 'other')
      const result = await store.ingest([{ accountId: 'acct_other', projectId: other.id, events: [start('t-order')] }])
      expect(result.counts).toEqual([{ accepted: 1, duplicates: 0 }])
      expect((await store.getTrace(other.id, 't-order'))?.trace.status).toBe('running')
      expect((await store.listTraces(other.id, { limit: 10 })).items.map((t) => t.id)).toEqual(['t-order'])
    })

    test('lossy and terminated-early marks, whichever event brings them; the first lossy marker’s count wins', async () => {
      await store.ingest([{ accountId: project.accountId, projectId: project.id, events: [start('t-lossy'), { type: 'trace.lossy', id: 't-lossy:lossy', lossy: { traceId: 't-lossy', droppedEvents: 3 } }] }])
      await store.ingest([{ accountId: project.accountId, projectId: project.id, events: [{ type: 'trace.lossy', id: 't-lossy:lossy2', lossy: { traceId: 't-lossy', droppedEvents: 9 } }, end('t-lossy', { terminatedEarly: true })] }])
      await store.ingest([{ accountId: project.accountId, projectId: project.id, events: [start('t-endlossy'), end('t-endlossy', { lossy: true })] }])
      expect((await store.getTrace(project.id, 't-lossy'))?.trace).toMatchObject({ lossy: true, droppedEvents: 3, terminatedEarly: true })
      expect((await store.getTrace(project.id, 't-endlossy'))?.trace).toMatchObject({ lossy: true, terminatedEarly: false })
    })

    test('concurrent transactions with overlapping event ids store each once', async () => {
      const events = Array.from({ length: 300 }, (_, i) => span('t-race', `race-${i}`))
      const results = await Promise.all([0, 1, 2, 3].map(() => store.ingest([{ accountId: project.accountId, projectId: project.id, events }])))
      expect(results.reduce((sum, r) => sum + r.counts[0]!.accepted, 0)).toBe(300)
      expect(results.reduce((sum, r) => sum + r.counts[0]!.duplicates, 0)).toBe(900)
      expect((await store.getTrace(project.id, 't-race'))?.trace.totals.spans).toBe(300)
    })

    test('a span comes back exactly as sent, whatever its strings hold', async () => {
      const odd = ['quote " backslash \\ slash /', 'line\nbreak\ttab', 'NUL \u0000 inside', 'lone \ud800 surrogate', 'emoji 😀 and ünïcode', '{"json":"in a string"}', '\u2028\u2029']
      const sent = span('t-odd', 'odd-1', { input: { odd }, output: odd.join(''), metadata: { [odd[0]!]: odd[5]! } })
      await store.ingest([{ accountId: project.accountId, projectId: project.id, events: [sent] }])
      const [stored] = (await store.getTrace(project.id, 't-odd'))!.spans
      expect(stored).toEqual((sent as Extract<WireEvent, { type: 'span' }>).span)
    })

    test('lists traces with every filter and a cursor through all pages', async () => {
      const listing = await store.createProject(project.accountId, 'listing')
      const batch: WireEvent[] = []
      for (let i = 0; i < 25; i++) {
        const id = `L${String(i).padStart(2, '0')}`
        batch.push(start(id, { name: i % 2 ? 'odd' : 'even', sessionId: `s${i % 3}`, tags: i % 5 === 0 ? ['five'] : [] }, i))
        if (i % 4 === 0) batch.push(span(id, `${id}-err`, { status: 'error', kind: 'error', error: { type: 'Boom', message: 'x' } }))
        if (i % 4 === 1) batch.push(span(id, `${id}-llm`, { kind: 'llm', step: llmStep }))
        if (i % 3 !== 0) batch.push(end(id, i % 6 === 1 ? { status: 'failed' } : {}))
        if (i === 7) batch.push({ type: 'trace.lossy', id: `${id}:lossy`, lossy: { traceId: id } })
      }
      await store.ingest([{ accountId: project.accountId, projectId: listing.id, events: batch }])
      const all: string[] = []
      let cursor: string | null = null
      do {
        const page = await store.listTraces(listing.id, { limit: 7, after: cursor ? decodeCursor(cursor) : undefined })
        all.push(...page.items.map((t) => t.id))
        cursor = page.nextCursor
      } while (cursor)
      expect(all).toEqual(Array.from({ length: 25 }, (_, i) => `L${String(24 - i).padStart(2, '0')}`))
      const ids = async (filter: Record<string, unknown>) => (await store.listTraces(listing.id, { limit: 100, ...filter })).items.map((t) => t.id).sort()
      expect(await ids({ name: 'odd' })).toHaveLength(12)
      expect(await ids({ sessionId: 's1' })).toEqual(['L01', 'L04', 'L07', 'L10', 'L13', 'L16', 'L19', 'L22'])
      expect(await ids({ tag: 'five' })).toEqual(['L00', 'L05', 'L10', 'L15', 'L20'])
      expect(await ids({ status: 'running' })).toEqual(['L00', 'L03', 'L06', 'L09', 'L12', 'L15', 'L18', 'L21', 'L24'])
      expect(await ids({ status: 'failed' })).toEqual(['L01', 'L07', 'L13', 'L19'])
      expect(await ids({ lossy: true })).toEqual(['L07'])
      expect(await ids({ fromMs: Date.parse(at(20)), toMs: Date.parse(at(23)) })).toEqual(['L20', 'L21', 'L22'])
      const withErrors = await ids({ hasError: true })
      expect(withErrors).toEqual(['L00', 'L01', 'L04', 'L07', 'L08', 'L12', 'L13', 'L16', 'L19', 'L20', 'L24'])
      expect((await ids({ hasError: false })).length).toBe(25 - withErrors.length)
      const llm = await store.getTrace(listing.id, 'L05')
      expect(llm?.trace.totals).toMatchObject({ llmCalls: 1, spans: 1 })
      expect(llm?.spans[0]?.step?.usage).toEqual({ inputTokens: 7, outputTokens: 3 })
      const sessions = await store.listSessions(listing.id, { limit: 2 })
      expect(sessions.items.map((s) => s.id)).toEqual(['s0', 's2'])
      const rest = await store.listSessions(listing.id, { limit: 2, after: decodeCursor(sessions.nextCursor!) })
      expect(rest.items.map((s) => s.id)).toEqual(['s1'])
      expect((await store.getSession(listing.id, 's1'))?.traces.map((t) => t.id)).toEqual(['L01', 'L04', 'L07', 'L10', 'L13', 'L16', 'L19', 'L22'])
    })

    test('keys: found by hash, listed, revoked (only within their project)', async () => {
      const made = generateApiKey()
      const key = await store.createKey({ id: made.id, projectId: project.id, accountId: project.accountId, name: 'ci', prefix: made.prefix, hash: made.hash, scopes: ['read'] })
      expect(await store.findKeyByHash(made.hash)).toMatchObject({ id: key.id, scopes: ['read'], revokedAt: null })
      expect(await store.revokeKey('p_other', key.id)).toBeUndefined()
      expect((await store.findKeyByHash(made.hash))?.revokedAt).toBeNull()
      expect((await store.revokeKey(project.id, key.id))?.revokedAt).not.toBeNull()
      expect((await store.listKeys(project.id)).map((k) => k.name)).toContain('ci')
    })

    test('daily usage adds up events and LLM spend', async () => {
      const usage = await store.createProject(project.accountId, 'usage')
      await store.ingest([{ accountId: project.accountId, projectId: usage.id, events: [span('u1', 'u1-a', { kind: 'llm', step: llmStep }), span('u1', 'u1-b', { kind: 'llm', step: llmStep })] }])
      const today = new Date().toISOString().slice(0, 10)
      const used = await store.usageOn(usage.id, today)
      expect(used.events).toBe(2)
      expect(used.usd).toBeCloseTo(0.004, 6)
    })
  })
})

describe.each(storeTargets())('migrations on $engine', (target) => {
  test.skipIf(!target.available)('apply once, and a newer database schema refuses to start naming both versions', async () => {
    const url = await target.freshUrl()
    const store = await openStore(url)
    await store.close()
    const client = target.engine === 'sqlite' ? openSqlite(url.replace(/^sqlite:/, '')) : await openPostgres(url)
    try {
      expect(await migrate(client)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION })
      const newer = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'from the future', statements: ['CREATE TABLE future_things (id TEXT PRIMARY KEY)'] }]
      expect(await migrate(client, newer)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION + 1 })
    } finally {
      await client.close()
    }
    const refusal = await openStore(url).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refusal).toBeInstanceOf(StoreSchemaTooNewError)
    expect((refusal as Error).message).toBe(
      `the database schema is version ${SCHEMA_VERSION + 1}, newer than this server's version ${SCHEMA_VERSION}: upgrade @retrace/server, or point it at another database (--database-url)`,
    )
  })
})
