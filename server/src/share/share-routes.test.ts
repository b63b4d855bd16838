import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { weatherCassette } from '../../test/cassette-fixtures.ts'
import { storeTargets } from '../../test/store-matrix.ts'
import { startTestServer, type TestServer } from '../../test/test-server.ts'
import { hashShareToken } from '../store/share-link.ts'

const AT = '2026-03-01T10:00:00.000Z'
const events = (traceId: string, projectId?: string): WireEvent[] => [
  { type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: 'crew', startedAt: AT, input: ['secret plans'], ...(projectId ? { projectId } : {}) } },
  { type: 'span', id: `${traceId}-a`, span: { id: `${traceId}-a`, traceId, kind: 'agent', name: 'plan', startedAt: AT, endedAt: AT, durationMs: 3, status: 'ok', agent: { id: 'planner' } } },
  { type: 'span', id: `${traceId}-b`, span: { id: `${traceId}-b`, traceId, parentId: `${traceId}-a`, kind: 'agent', name: 'write', startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok', agent: { id: 'writer', parentId: 'planner' } } },
  { type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: AT, status: 'completed', output: 'done', totals: { inputTokens: 1, outputTokens: 1, usd: 0, durationMs: 3 } } },
]

describe.each(storeTargets())('share links on $engine', (target) => {
  let t: TestServer
  let readKey: string
  let cassetteTrace: string
  let databaseUrl: string

  beforeAll(async () => {
    if (!target.available) return
    databaseUrl = await target.freshUrl()
    t = await startTestServer(target, { databaseUrl })
    await t.call('/v1/events', { json: { type: 'batch', batchId: 'b1', events: [...events('tr-shared'), ...events('tr-private')] } })
    cassetteTrace = (await t.call('/api/v1/cassettes', { json: { cassette: weatherCassette() } })).body.trace.id
    readKey = (await t.call('/api/v1/keys', { json: { name: 'reader', scopes: ['read'] } })).body.secret
  })
  afterAll(async () => {
    await t?.close()
  })

  describe.skipIf(!target.available)('', () => {
    test('a link opens one trace without a key: its tree and topology, no project, noindex; only a hash of the 256-bit token is stored', async () => {
      const created = await t.call('/api/v1/shares', { json: { traceId: 'tr-shared' } })
      expect(created.status).toBe(201)
      const { token, path, url, share } = created.body
      expect(token).toMatch(/^rts_[A-Za-z0-9_-]{43}$/) // 32 random bytes
      expect(path).toBe(`/s/${token}`)
      expect(url).toBe(`${t.url}/s/${token}`)
      expect(share).toMatchObject({ traceId: 'tr-shared', expiresAt: null, revokedAt: null, tokenPrefix: token.slice(0, 10) })
      expect(JSON.stringify(share)).not.toContain(token)
      expect(await t.server.store.shares.findByTokenHash(hashShareToken(token))).toMatchObject({ id: share.id })
      if (target.engine === 'sqlite') {
        // What is on disk (the database and its write-ahead log): the hash, never the token.
        const file = databaseUrl.replace(/^sqlite:/, '')
        const disk = [file, `${file}-wal`].map((name) => { try { return readFileSync(name).toString('latin1') } catch { return '' } }).join('')
        expect(disk).toContain(hashShareToken(token))
        expect(disk).not.toContain(token)
      }

      const opened = await fetch(`${t.url}/api/v1/shared/${token}`)
      expect(opened.status).toBe(200)
      expect(opened.headers.get('x-robots-tag')).toBe('noindex, nofollow')
      expect(opened.headers.get('referrer-policy')).toBe('no-referrer')
      const body = (await opened.json()) as Record<string, any>
      expect(body.trace).toMatchObject({ id: 'tr-shared', name: 'crew', output: 'done' })
      expect(body.trace.projectId).toBeUndefined()
      expect(body.spans[0]).toMatchObject({ id: 'tr-shared-a', children: [{ id: 'tr-shared-b' }] })
      expect(body.topology.edges).toEqual([{ from: 'planner', to: 'writer', kind: 'handoff', count: 1 }])
      expect(JSON.stringify(body)).not.toContain('tr-private')
    })

    test('the token is no key: it opens nothing else, and every key route still answers 401 without a key', async () => {
      const { token } = (await t.call('/api/v1/shares', { json: { traceId: 'tr-shared' } })).body
      for (const path of ['/api/v1/traces', '/api/v1/traces/tr-private', '/api/v1/traces/tr-shared', '/api/v1/shares', '/api/v1/sessions', '/api/v1/keys', '/api/v1/live']) {
        expect((await t.call(path, { key: null })).status, path).toBe(401)
        expect((await t.call(path, { key: token })).status, `${path} with the share token as key`).toBe(401)
      }
      expect((await fetch(`${t.url}/api/v1/shared/${token}/cassette`)).status).toBe(422)
    })

    test('a pushed cassette’s recorded exchanges are shared with its trace', async () => {
      const { token } = (await t.call('/api/v1/shares', { json: { traceId: cassetteTrace } })).body
      const cassette = (await (await fetch(`${t.url}/api/v1/shared/${token}/cassette`)).json()) as Record<string, any>
      expect(cassette.interactions[0].request.headers.authorization).toBe('[REDACTED]')
    })

    test('revoked, expired and unknown links all answer the same 404; revoking is per project', async () => {
      const revoked = (await t.call('/api/v1/shares', { json: { traceId: 'tr-shared' } })).body
      const expiring = (await t.call('/api/v1/shares', { json: { traceId: 'tr-shared', expiresInHours: 0.0002 } })).body
      expect(Date.parse(expiring.share.expiresAt) - Date.parse(expiring.share.createdAt)).toBeGreaterThan(600)
      const other = await t.call('/api/v1/projects', { json: { name: 'other' } })
      expect((await t.call(`/api/v1/shares/${revoked.share.id}`, { method: 'DELETE', key: other.body.secret })).status).toBe(404)
      expect((await fetch(`${t.url}/api/v1/shared/${revoked.token}`)).status).toBe(200)
      const revoke = await t.call(`/api/v1/shares/${revoked.share.id}`, { method: 'DELETE' })
      expect(revoke.body.share.revokedAt).not.toBeNull()
      await new Promise((resolve) => setTimeout(resolve, 800))
      const answers = await Promise.all([revoked.token, expiring.token, 'rts_not-a-real-token', 'nonsense'].map(async (token) => {
        const response = await fetch(`${t.url}/api/v1/shared/${token}`)
        return { status: response.status, body: await response.json() }
      }))
      for (const answer of answers) expect(answer).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'This share link does not exist, was revoked or has expired.' } } })
      const listed = (await t.call('/api/v1/shares?traceId=tr-shared')).body
      expect(listed.sharing).toBe('on')
      expect(listed.shares.find((link: { id: string }) => link.id === revoked.share.id).revokedAt).not.toBeNull()
      expect(listed.shares.every((link: { traceId: string }) => link.traceId === 'tr-shared')).toBe(true)
    })

    test('creating needs the admin scope, a trace of the project and a sane expiry', async () => {
      expect((await t.call('/api/v1/shares', { json: { traceId: 'tr-shared' }, key: readKey })).status).toBe(403)
      expect((await t.call('/api/v1/shares', { key: readKey })).status).toBe(200)
      expect((await t.call('/api/v1/shares', { json: { traceId: 'nope' } })).status).toBe(404)
      for (const body of [{ traceId: 'tr-shared', expiresInHours: -1 }, { traceId: 'tr-shared', expiresInHours: 1e9 }, { traceId: 'tr-shared', extra: 1 }, {}]) {
        const answer = await t.call('/api/v1/shares', { json: body })
        expect(answer.status, JSON.stringify(body)).toBe(400)
        expect(answer.body.error.code).toBe('bad_request')
      }
    })
  })
})

describe.each(storeTargets())('sharing turned off on $engine', (target) => {
  test.skipIf(!target.available)('refuses new links and closes existing ones', async () => {
    const url = await target.freshUrl()
    const on = await startTestServer(target, { databaseUrl: url })
    await on.call('/v1/events', { json: { type: 'batch', batchId: 'b1', events: events('tr-1') } })
    const { token } = (await on.call('/api/v1/shares', { json: { traceId: 'tr-1' } })).body
    await on.close()
    const { startServer } = await import('../server.ts')
    const off = await startServer({ port: 0, databaseUrl: url, sharing: 'off', logLevel: 'silent' })
    try {
      const opened = await fetch(`${off.url}/api/v1/shared/${token}`)
      expect(opened.status).toBe(404)
      expect(((await opened.json()) as Record<string, any>).error.message).toBe('Sharing is turned off on this server.')
      const created = await fetch(`${off.url}/api/v1/shares`, { method: 'POST', headers: { 'x-retrace-key': on.key, 'content-type': 'application/json' }, body: JSON.stringify({ traceId: 'tr-1' }) })
      expect(created.status).toBe(403)
      expect(((await created.json()) as Record<string, any>).error.message).toContain('--sharing off')
      const listed = await (await fetch(`${off.url}/api/v1/shares`, { headers: { 'x-retrace-key': on.key } })).json()
      expect(listed).toMatchObject({ sharing: 'off', shares: [{ traceId: 'tr-1' }] })
    } finally {
      await off.close()
    }
  })
})
