import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { describe, expect, test } from 'vitest'
import { weatherCassette } from './cassette-fixtures.ts'
import { createRandom, INJECTIONS, malformedPayload, mutatedEvent, weird, type Random } from './malformed-inputs.ts'
import { spawnServer } from './server-process.ts'
import { storeTargets } from './store-matrix.ts'

// 10,000 malformed inputs per store, over both channels (HTTP and the WebSocket), against a
// server process: no answer with a 5xx status, no `server` error on the stream, no crash, and
// valid traffic is still stored afterwards.

const TOTAL = 10_000
const MiB = 1024 * 1024

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!)
  }))
}

function keyHeader(random: Random, key: string): Record<string, string> {
  const roll = random.next()
  if (roll < 0.05) return {}
  if (roll < 0.1) return { 'x-retrace-key': random.pick(INJECTIONS).replace(/[^\x20-\x7e]/g, '') || 'x' }
  if (roll < 0.12) return { 'x-retrace-key': `${key}x` }
  return { 'x-retrace-key': key }
}

function randomPath(random: Random): string {
  const segment = () => encodeURIComponent(Buffer.from(random.pick(INJECTIONS)).toString('utf8')).slice(0, 300) || '%'
  return random.pick([
    `/api/v1/traces/${segment()}`,
    `/api/v1/traces?${random.pick(['limit', 'cursor', 'from', 'to', 'status', 'hasError', 'lossy', 'tag', 'name', 'session'])}=${segment()}&limit=${random.pick(['1', '-1', '99999', 'x', '1e3'])}`,
    `/api/v1/sessions/${segment()}`,
    `/api/v1/sessions?cursor=${segment()}`,
    `/api/v1/projects/${segment()}`,
    `/api/v1/keys/${segment()}`,
    `/api/v1/traces/${segment()}/cassette`,
    `/${segment()}/${segment()}`,
    `/api/v1/%E0%A4%A`,
    `/api/v1/traces/%`,
  ])
}

describe.each(storeTargets())('malformed input on $engine', (target) => {
  test.skipIf(!target.available)(`${TOTAL.toLocaleString('en')} malformed inputs over HTTP and the WebSocket: no 5xx, no crash, valid traffic still stored`, { timeout: 240_000 }, async () => {
    const random = createRandom(target.engine === 'sqlite' ? 1 : 2)
    const server = spawnServer(['--port', '0', '--rate-limit', '0', '--database-url', await target.freshUrl(), '--log-level', 'warn'], mkdtempSync(join(tmpdir(), 'retrace-fuzz-')))
    const url = await server.url()
    const key = server.apiKey()!
    const statuses = new Map<number, number>()
    const serverErrors: string[] = []
    let sent = 0
    const note = (status: number, what: string) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      if (status >= 500) serverErrors.push(`${status} ${what.slice(0, 200)}`)
    }

    // HTTP: 4,000 event bodies, 500 policy checks, 1,000 read-API requests, 500 cassette pushes, 2 oversize bodies.
    const http: Array<() => Promise<void>> = []
    for (let i = 0; i < 4000; i++) {
      const body = malformedPayload(random, i)
      const headers = { ...keyHeader(random, key), 'content-type': random.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', '']) }
      http.push(async () => note((await fetch(`${url}/v1/events`, { method: 'POST', headers, body })).status, `events ${String(body).slice(0, 100)}`))
    }
    for (let i = 0; i < 500; i++) {
      const body = JSON.stringify(random.next() < 0.5 ? weird(random) : { traceId: weird(random), name: random.pick(INJECTIONS), totals: weird(random), model: weird(random) })
      http.push(async () => note((await fetch(`${url}/v1/policy/check`, { method: 'POST', headers: keyHeader(random, key), body })).status, `policy ${body}`))
    }
    for (let i = 0; i < 1000; i++) {
      const path = randomPath(random)
      const method = random.pick(['GET', 'GET', 'GET', 'POST', 'PATCH', 'DELETE', 'PUT'])
      const body = method === 'GET' ? undefined : random.next() < 0.5 ? JSON.stringify(weird(random)) : malformedPayload(random, i)
      http.push(async () => note((await fetch(`${url}${path}`, { method, headers: keyHeader(random, key), body })).status, `${method} ${path}`))
    }
    for (let i = 0; i < 500; i++) {
      const cassette: any = weatherCassette(`q${i}`)
      const roll = random.next()
      if (roll < 0.3) cassette.interactions[0] = mutatedEvent(random, i)
      else if (roll < 0.5) cassette.version = weird(random)
      else if (roll < 0.7) cassette.interactions[0].request.url = weird(random)
      const body = JSON.stringify(random.next() < 0.8 ? { cassette, name: random.pick(INJECTIONS), git: random.next() < 0.5 ? { branch: random.pick(INJECTIONS) } : weird(random) } : cassette)
      http.push(async () => note((await fetch(`${url}/api/v1/cassettes`, { method: 'POST', headers: { ...keyHeader(random, key), 'content-type': 'application/json' }, body })).status, `cassette ${body.slice(0, 200)}`))
    }
    const oversize = `{"type":"batch","batchId":"huge","events":[${JSON.stringify('x'.repeat(17 * MiB))}]}`
    for (let i = 0; i < 2; i++) http.push(async () => note((await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'x-retrace-key': key }, body: oversize })).status, 'oversize'))
    await pool(http, 8, async (call) => {
      await call()
      sent++
    })

    // WebSocket: upgrades with bad keys, then frames (reconnecting whenever the server closes).
    for (let i = 0; i < 20; i++) {
      const status = await new Promise<number>((resolve) => {
        let socket: WebSocket
        try {
          socket = new WebSocket(`${url.replace('http', 'ws')}/v1/stream`, { headers: keyHeader(random, random.next() < 0.5 ? key : 'rt_live_wrong') })
        } catch {
          // A header value the client library itself refuses: send a wrong key instead.
          socket = new WebSocket(`${url.replace('http', 'ws')}/v1/stream`, { headers: { 'x-retrace-key': 'rt_live_wrong' } })
        }
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
        socket.on('open', () => (socket.close(), resolve(101)))
        socket.on('error', () => resolve(0))
      })
      note(status, 'upgrade')
      sent++
    }
    let socket: WebSocket | undefined
    const streamMessages: Array<{ type: string; code?: string; message?: string }> = []
    const connect = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const next = new WebSocket(`${url.replace('http', 'ws')}/v1/stream`, { headers: { 'x-retrace-key': key } })
        next.on('message', (data) => streamMessages.push(JSON.parse(String(data))))
        next.on('open', () => resolve(next))
        next.on('error', reject)
      })
    const frames = TOTAL - sent - 2
    for (let i = 0; i < frames; i++) {
      if (!socket || socket.readyState !== WebSocket.OPEN) socket = await connect()
      const payload = malformedPayload(random, 100_000 + i)
      const asText = typeof payload === 'string' || random.next() < 0.5
      socket.send(payload, { binary: !asText })
      sent++
      // Let the server keep up (and notice a close) every few frames.
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    }
    for (let i = 0; i < 2; i++) {
      socket = await connect()
      socket.send(oversize)
      sent++
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
    socket?.close()

    expect(sent).toBe(TOTAL)
    expect(serverErrors).toEqual([])
    expect(streamMessages.filter((m) => m.type === 'error' && m.code === 'server')).toEqual([])
    expect(streamMessages.filter((m) => m.type === 'error' && m.code === 'bad_request').length).toBeGreaterThan(50)
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true)

    // Still alive, still serving, still storing valid traffic on both channels.
    expect(server.child.exitCode).toBeNull()
    const valid = (id: string) => ({ type: 'batch', batchId: id, events: [{ type: 'trace.start', id: `${id}:start`, trace: { id, name: 'after-fuzz', startedAt: new Date().toISOString() } }] })
    expect(await (await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'x-retrace-key': key }, body: JSON.stringify(valid('after-http')) })).json()).toMatchObject({ accepted: 1 })
    const last = await connect()
    last.send(JSON.stringify(valid('after-ws')))
    await expect.poll(() => streamMessages.some((m) => m.type === 'ack' && (m as { batchId?: string }).batchId === 'after-ws'), { timeout: 60_000 }).toBe(true)
    last.close()
    for (const id of ['after-http', 'after-ws']) {
      const answer = await fetch(`${url}/api/v1/traces/${id}`, { headers: { 'x-retrace-key': key } })
      expect(((await answer.json()) as { trace: { name: string } }).trace.name).toBe('after-fuzz')
    }
    server.child.kill('SIGTERM')
    expect((await server.exited).code).toBe(0)
  })
})
