import { afterEach, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { startRetraceTestServer, type RetraceTestServer } from '../../../../test-support/retrace-test-server.ts'
import type { WireEvent } from '@retrace/protocol'

// The test server (test-support/retrace-test-server.ts) is tested here, with a raw client,
// because the workspace's Vitest projects only collect tests under the packages.

const servers: RetraceTestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function start(options?: Parameters<typeof startRetraceTestServer>[0]): Promise<RetraceTestServer> {
  const server = await startRetraceTestServer(options)
  servers.push(server)
  return server
}

function span(id: string, traceId = 't1'): WireEvent {
  const at = new Date(0).toISOString()
  return { type: 'span', id, span: { id, traceId, kind: 'span', name: id, startedAt: at, endedAt: at, durationMs: 0, status: 'ok' } }
}

function batch(batchId: string, events: WireEvent[]): string {
  return JSON.stringify({ type: 'batch', batchId, events })
}

async function post(server: RetraceTestServer, path: string, body: string, key = 'rt_test'): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'x-retrace-key': key, 'content-type': 'application/json' }, body })
  return { status: response.status, body: await response.json(), headers: response.headers }
}

function connect(server: RetraceTestServer, key = 'rt_test'): Promise<{ socket: WebSocket; messages: unknown[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/v1/stream`, { headers: { 'x-retrace-key': key } })
    const messages: unknown[] = []
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())))
    socket.on('open', () => resolve({ socket, messages }))
    socket.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
    socket.on('error', reject)
  })
}

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('retrace test server', () => {
  test('stores HTTP batches once per event id and answers the counts', async () => {
    const server = await start()
    const first = await post(server, '/v1/events', batch('b1', [span('a'), span('b')]))
    expect(first).toMatchObject({ status: 200, body: { batchId: 'b1', accepted: 2, duplicates: 0 } })
    const again = await post(server, '/v1/events', batch('b2', [span('b'), span('c')]))
    expect(again.body).toEqual({ batchId: 'b2', accepted: 1, duplicates: 1 })
    expect(server.events.map((event) => event.id)).toEqual(['a', 'b', 'c'])
    expect(server.receivedIds).toEqual(['a', 'b', 'b', 'c'])
    expect(server.deliveries).toEqual({ websocket: 0, http: 2 })
  })

  test('acks WebSocket batches, records register messages, and counts the channel', async () => {
    const server = await start()
    const { socket, messages } = await connect(server)
    socket.send(JSON.stringify({ type: 'register', sdk: 'test', protocol: 1, resumable: ['agent'] }))
    socket.send(batch('w1', [span('x')]))
    await until(() => messages.length === 1)
    expect(messages[0]).toEqual({ type: 'ack', batchId: 'w1', accepted: 1, duplicates: 0 })
    expect(server.registrations).toEqual([{ type: 'register', sdk: 'test', protocol: 1, resumable: ['agent'] }])
    expect(server.deliveries).toEqual({ websocket: 1, http: 0 })
    socket.close()
  })

  test('refuses a wrong key on both channels', async () => {
    const server = await start({ apiKeys: ['good'] })
    expect((await post(server, '/v1/events', batch('b', [span('a')]), 'bad')).status).toBe(401)
    await expect(connect(server, 'bad')).rejects.toThrow('401')
    expect(server.events).toEqual([])
  })

  test('rejects invalid events in the ack and stores the rest', async () => {
    const server = await start()
    const { body } = await post(server, '/v1/events', JSON.stringify({ type: 'batch', batchId: 'b', events: [span('ok'), { type: 'span', id: 'bad' }] }))
    expect(body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ id: 'bad' }] })
    expect(server.events.map((event) => event.id)).toEqual(['ok'])
  })

  test('injects statuses with retry-after, a limited number of times', async () => {
    const server = await start()
    server.inject({ kind: 'status', status: 429, retryAfterSeconds: 2 }, { on: ['http'], times: 2 })
    const limited = await post(server, '/v1/events', batch('b', [span('a')]))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(limited.body).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 2 })
    expect((await post(server, '/v1/events', batch('b', [span('a')]))).status).toBe(429)
    expect((await post(server, '/v1/events', batch('b', [span('a')]))).status).toBe(200)
  })

  test('refuses upgrades with an injected status', async () => {
    const server = await start()
    server.inject({ kind: 'status', status: 503 }, { on: ['upgrade'] })
    await expect(connect(server)).rejects.toThrow('503')
    await connect(server).then(({ socket }) => socket.close())
  })

  test('sends a connection error and close code 4429 for a rate-limited WebSocket batch', async () => {
    const server = await start()
    server.inject({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { on: ['websocket'] })
    const { socket, messages } = await connect(server)
    const closed = new Promise<number>((resolve) => socket.on('close', resolve))
    socket.send(batch('w', [span('a')]))
    expect(await closed).toBe(4429)
    expect(messages).toEqual([{ type: 'error', code: 'rate_limited', message: 'Injected 429', retryAfterSeconds: 1 }])
    expect(server.events).toEqual([])
  })

  test('drops a WebSocket without acking, after storing the batch when asked', async () => {
    const server = await start()
    server.inject({ kind: 'drop', store: true }, { on: ['websocket'] })
    const { socket, messages } = await connect(server)
    const closed = new Promise<number>((resolve) => socket.on('close', resolve))
    socket.send(batch('w', [span('a')]))
    await closed
    expect(messages).toEqual([])
    expect(server.events.map((event) => event.id)).toEqual(['a'])
    expect(server.deliveries.websocket).toBe(0)
  })

  test('stops and restarts on the same port, keeping what it stored', async () => {
    const server = await start()
    await post(server, '/v1/events', batch('b1', [span('a')]))
    const { socket } = await connect(server)
    const closed = new Promise((resolve) => socket.on('close', resolve))
    await server.stop()
    await closed
    expect(server.running).toBe(false)
    await expect(fetch(`${server.url}/v1/events`, { method: 'POST' })).rejects.toThrow()
    await server.start()
    expect((await post(server, '/v1/events', batch('b2', [span('a'), span('b')]))).body).toMatchObject({ accepted: 1, duplicates: 1 })
    expect(server.events.map((event) => event.id)).toEqual(['a', 'b'])
  })

  test('sends resume commands to connected clients', async () => {
    const server = await start()
    const { socket, messages } = await connect(server)
    await until(() => server.clients === 1)
    expect(server.sendResume({ forkId: 'f1', traceId: 't1', forkPointStep: 2, modifiedInput: { city: 'Oslo' } })).toBe(1)
    await until(() => messages.length === 1)
    expect(messages[0]).toEqual({ type: 'resume', forkId: 'f1', traceId: 't1', forkPointStep: 2, modifiedInput: { city: 'Oslo' } })
    socket.close()
  })

  test('answers policy checks with the configured verdict', async () => {
    const server = await start({ policy: { verdict: 'hold', retryAfterMs: 100 } })
    const check = { traceId: 't', name: 'agent', totals: { inputTokens: 1, outputTokens: 1, usd: 0, durationMs: 1, steps: 1 } }
    expect((await post(server, '/v1/policy/check', JSON.stringify(check))).body).toEqual({ verdict: 'hold', retryAfterMs: 100 })
    server.setPolicy((request) => ({ verdict: request.totals.steps > 0 ? 'block' : 'allow', reason: 'steps' }))
    expect((await post(server, '/v1/policy/check', JSON.stringify(check))).body).toEqual({ verdict: 'block', reason: 'steps' })
    expect(server.policyChecks).toHaveLength(2)
  })

  test('groups stored events by trace', async () => {
    const server = await start()
    const at = new Date(0).toISOString()
    await post(
      server,
      '/v1/events',
      batch('b', [
        { type: 'trace.start', id: 't1:start', trace: { id: 't1', name: 'agent', startedAt: at } },
        span('s1', 't1'),
        span('s2', 't2'),
        { type: 'trace.lossy', id: 't2:lossy', lossy: { traceId: 't2' } },
        { type: 'trace.end', id: 't1:end', trace: { id: 't1', endedAt: at, status: 'completed', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 0 } } },
      ]),
    )
    const traces = server.traces()
    expect(traces.get('t1')).toMatchObject({ start: { name: 'agent' }, spans: [{ id: 's1' }], end: { status: 'completed' }, lossy: false })
    expect(traces.get('t2')).toMatchObject({ spans: [{ id: 's2' }], lossy: true })
  })
})
