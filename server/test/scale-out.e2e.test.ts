import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createLogger } from '../src/logging/logger.ts'
import { startServer, type RetraceServer } from '../src/server.ts'
import { spawnServer, type ServerProcess } from './server-process.ts'
import { storeTargets } from './store-matrix.ts'
import { openStream } from './test-server.ts'

// Two server processes on one PostgreSQL: process A is a `retrace-server` child process,
// process B runs in the test process. They share nothing but the database: a key revoked
// on one is refused by the other at once, a command for an SDK connected to A can be made
// on B, and live updates of ingest through B reach a listener on A.

const postgres = storeTargets().find((target) => target.engine === 'postgres')!
const AT = '2026-03-01T10:00:00.000Z'

describe.skipIf(!postgres.available)('two server processes on one PostgreSQL', () => {
  let a: ServerProcess
  let aUrl: string
  let b: RetraceServer
  let key: string
  const call = async (url: string, path: string, init: RequestInit & { key?: string } = {}) => {
    const response = await fetch(`${url}${path}`, { ...init, headers: { 'x-retrace-key': init.key ?? key, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } })
    return { status: response.status, body: (await response.json()) as any }
  }

  beforeAll(async () => {
    const databaseUrl = await postgres.freshUrl()
    a = spawnServer(['--port', '0', '--database-url', databaseUrl, '--log-level', 'warn'], mkdtempSync(join(tmpdir(), 'retrace-scale-')))
    aUrl = await a.url()
    key = a.apiKey()!
    b = await startServer({ port: 0, databaseUrl, logger: createLogger({ level: 'silent' }) })
  })
  afterAll(async () => {
    await b?.close()
    a?.child.kill('SIGTERM')
    await a?.exited
  })

  test('the second process finds the project the first one created, and both serve the same data', async () => {
    expect(b.firstStart).toBeUndefined()
    expect((await call(b.url, '/api/v1/projects')).body.projects).toHaveLength(1)
  })

  test('both accept ingest at the same time; every event is stored once whichever process got it', async () => {
    const events = Array.from({ length: 400 }, (_, i) => ({ type: 'span', id: `both-${i}`, span: { id: `both-${i}`, traceId: 'both', kind: 'tool', name: 't', startedAt: AT, endedAt: AT, durationMs: 0, status: 'ok' } }))
    const viaB = await openStream(b.url, key)
    const sends = [0, 1, 2, 3].map((n) => call(aUrl, '/v1/events', { method: 'POST', body: JSON.stringify({ type: 'batch', batchId: `a-${n}`, events: events.slice(n * 50, n * 50 + 250) }) }))
    for (let n = 0; n < 4; n++) viaB.send({ type: 'batch', batchId: `b-${n}`, events: events.slice(n * 100, n * 100 + 100) })
    const answers = await Promise.all(sends)
    const acks = await Promise.all([0, 1, 2, 3].map((n) => viaB.next((m) => m.type === 'ack' && m.batchId === `b-${n}`)))
    const accepted = [...answers.map((answer) => answer.body), ...acks].reduce((sum, counts) => sum + counts.accepted, 0)
    expect(accepted).toBe(400)
    viaB.socket.close()
    for (const url of [aUrl, b.url]) expect((await call(url, '/api/v1/traces/both')).body.trace.totals.spans).toBe(400)
  })

  test('a key revoked on one process is refused by the other at once, and its connections there close with 4401', async () => {
    const made = (await call(b.url, '/api/v1/keys', { method: 'POST', body: JSON.stringify({ name: 'short-lived', scopes: ['ingest', 'read'] }) })).body
    const onA = await openStream(aUrl, made.secret)
    onA.send({ type: 'register', sdk: 'x', protocol: 1, resumable: [] })
    expect((await call(aUrl, '/api/v1/traces', { key: made.secret })).status).toBe(200)
    expect((await call(b.url, `/api/v1/keys/${made.key.id}`, { method: 'DELETE' })).status).toBe(200)
    expect((await call(aUrl, '/api/v1/traces', { key: made.secret })).status).toBe(401)
    expect((await onA.closed).code).toBe(4401)
  })

  test('a command made on one process reaches the SDK connected to the other', async () => {
    const sdk = await openStream(aUrl, key)
    sdk.send({ type: 'register', sdk: '@retrace/core 0.1.0', protocol: 1, resumable: ['support-agent'], instanceId: 'worker-on-a' })
    let connection: { id: string; serverId: string } | undefined
    await expect
      .poll(async () => {
        connection = (await call(b.url, '/api/v1/connections')).body.connections.find((c: { instanceId: string }) => c.instanceId === 'worker-on-a')
        return connection?.id
      })
      .toBeDefined()
    expect(connection!.serverId).not.toBe(b.serverId)
    const resume = { type: 'resume' as const, forkId: 'fk_1', traceId: 'tr_1', name: 'support-agent', forkPointStep: 2, modifiedInput: { city: 'Oslo' } }
    expect(await b.connections.send(connection!.id, resume)).toBe(true)
    expect(await sdk.next((m) => m.type === 'resume')).toEqual(resume)
    sdk.socket.close()
  })

  test('live updates of ingest through one process reach a listener on the other', async () => {
    const controller = new AbortController()
    const response = await fetch(`${aUrl}/api/v1/live`, { headers: { 'x-retrace-key': key }, signal: controller.signal })
    const reader = response.body!.getReader()
    let text = ''
    while (!text.includes('event: ready')) text += new TextDecoder().decode((await reader.read()).value)
    await call(b.url, '/v1/events', { method: 'POST', body: JSON.stringify({ type: 'batch', batchId: 'live', events: [{ type: 'trace.start', id: 'live-1:start', trace: { id: 'live-1', name: 'x', startedAt: AT } }] }) })
    while (!text.includes('live-1')) text += new TextDecoder().decode((await reader.read()).value)
    controller.abort()
    expect(text).toContain('event: traces')
  })
})
