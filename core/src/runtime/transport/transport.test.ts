import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, test } from 'vitest'
import { RetraceError } from '@retrace/cassettes'
import { startRetraceTestServer, type RetraceTestServer } from '../../../../test-support/retrace-test-server.ts'
import { startCassette } from '../../session/start-cassette.ts'
import type { WireEvent } from '@retrace/protocol'
import { RetraceAuthError, RetraceCreditsExhaustedError, RetraceJournalError, RetraceRateLimitError, RetraceSerializationError } from './errors.ts'
import { createTransport, type Transport } from './transport.ts'
import type { TransportOptions } from './transport-options.ts'
import { failOnUnhandledRejections } from '../../../../test-support/unhandled-rejections.ts'

failOnUnhandledRejections()

const AT = new Date(0).toISOString()
const TOTALS = { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 0 }

function span(traceId: string, n: number, extra: Record<string, unknown> = {}): WireEvent {
  const id = `${traceId}.s${n}`
  return { type: 'span', id, span: { id, traceId, kind: 'span', name: `step ${n}`, startedAt: AT, endedAt: AT, durationMs: 0, status: 'ok', ...extra } }
}
const traceStart = (traceId: string): WireEvent => ({ type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: 'agent', startedAt: AT } })
const traceEnd = (traceId: string): WireEvent => ({ type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: AT, status: 'completed', totals: TOTALS } })

const servers: RetraceTestServer[] = []
const transports: Transport[] = []
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close(100)))
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function server(options?: Parameters<typeof startRetraceTestServer>[0]): Promise<RetraceTestServer> {
  const started = await startRetraceTestServer(options)
  servers.push(started)
  return started
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'retrace-journal-'))
}

/** A transport with test-sized timings, recording what it reports. */
function transport(options: Partial<TransportOptions> & Pick<TransportOptions, 'baseUrl'>): Transport & { errors: RetraceError[] } {
  const errors: RetraceError[] = []
  const created = createTransport({
    apiKey: 'rt_test',
    journalDir: tempDir(),
    batchIntervalMs: 2,
    maxBatchEvents: 50,
    backoff: { initialDelayMs: 20, maxDelayMs: 100 },
    handshakeTimeoutMs: 1_000,
    requestTimeoutMs: 1_000,
    onError: (error) => errors.push(error),
    ...options,
  })
  transports.push(created)
  return Object.assign(created, { errors })
}

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(5)
  }
}

function expectExactlyOnce(api: RetraceTestServer, ids: readonly string[]): void {
  const stored = api.events.map((event) => event.id)
  expect(new Set(stored).size).toBe(stored.length)
  expect([...stored].sort()).toEqual([...ids].sort())
}

describe('delivery', () => {
  test('streams batches over the WebSocket, registers resumable functions and journals nothing once acked', async () => {
    const api = await server()
    const journalDir = tempDir()
    const client = transport({ baseUrl: api.url, journalDir, resumable: () => ['support-agent'] })
    const ids: string[] = []
    for (let n = 0; n < 120; n++) {
      const event = span('t1', n)
      ids.push(event.id)
      client.send(event)
    }
    const result = await client.flush(3_000)
    expect(result).toEqual({ complete: true, acknowledged: 120, pending: 0, journaled: 0 })
    expectExactlyOnce(api, ids)
    expect(api.deliveries.http).toBe(0)
    expect(api.deliveries.websocket).toBeGreaterThanOrEqual(3)
    expect(client.state).toBe('websocket')
    expect(api.registrations[0]).toMatchObject({ type: 'register', protocol: 1, resumable: ['support-agent'] })
    await client.close()
    expect(readdirSync(readdirSync(journalDir).map((dir) => join(journalDir, dir))[0]!)).toEqual([])
  })

  test('server killed mid-run and restarted: every event delivered exactly once', async () => {
    const api = await server()
    const client = transport({ baseUrl: api.url })
    const ids: string[] = []
    const sendSome = (from: number, count: number) => {
      for (let n = from; n < from + count; n++) {
        const event = span('t1', n)
        ids.push(event.id)
        client.send(event)
      }
    }
    sendSome(0, 300)
    await sleep(5) // some batches in flight, some acked
    await api.stop()
    sendSome(300, 300)
    await sleep(150)
    expect(['http', 'connecting']).toContain(client.state)
    await api.start()
    sendSome(600, 300)
    expect((await client.flush(5_000)).complete).toBe(true)
    expectExactlyOnce(api, ids)
    await until(() => client.state === 'websocket')
  })

  test('a WebSocket dropped before acking: the batch is resent, and stored once', async () => {
    const api = await server()
    api.inject({ kind: 'drop', store: true }, { on: ['websocket'] })
    const client = transport({ baseUrl: api.url })
    const events = Array.from({ length: 10 }, (_, n) => span('t1', n))
    for (const event of events) client.send(event)
    expect((await client.flush(3_000)).complete).toBe(true)
    expectExactlyOnce(
      api,
      events.map((event) => event.id),
    )
    expect(api.duplicates).toBeGreaterThan(0)
    expect(client.stats.duplicates).toBe(api.duplicates)
  })

  test('acks that never come: the connection is taken as dead after ackTimeoutMs and the batch resent', async () => {
    const api = await server()
    api.inject({ kind: 'no-ack' }, { on: ['websocket'] })
    const client = transport({ baseUrl: api.url, ackTimeoutMs: 150 })
    client.send(span('t1', 1))
    expect((await client.flush(3_000)).complete).toBe(true)
    expectExactlyOnce(api, ['t1.s1'])
    // The dead socket was dropped: the batch went over HTTP meanwhile, and the WebSocket came back.
    await until(() => api.connectionsAccepted === 2 && client.state === 'websocket')
    expect(api.deliveries).toEqual({ websocket: 0, http: 1 })
  })

  test('WebSocket refused: batches go over HTTP, and back over the WebSocket once it returns', async () => {
    const api = await server()
    api.inject({ kind: 'status', status: 503 }, { on: ['upgrade'], times: Number.POSITIVE_INFINITY })
    const client = transport({ baseUrl: api.url })
    for (let n = 0; n < 100; n++) client.send(span('t1', n))
    expect((await client.flush(3_000)).complete).toBe(true)
    expect(client.state).toBe('http')
    expect(api.deliveries).toEqual({ websocket: 0, http: 2 })

    api.clearFaults()
    await until(() => client.state === 'websocket')
    for (let n = 100; n < 200; n++) client.send(span('t1', n))
    expect((await client.flush(3_000)).complete).toBe(true)
    expect(api.deliveries).toEqual({ websocket: 2, http: 2 })
    expect(client.stats.batches).toEqual({ websocket: 2, http: 2 })
    expect(api.events).toHaveLength(200)
  })

  test('a WebSocket cut while open: HTTP takes over at once, and the WebSocket reconnects', async () => {
    const api = await server()
    const client = transport({ baseUrl: api.url })
    await until(() => client.state === 'websocket')
    api.inject({ kind: 'status', status: 503 }, { on: ['upgrade'], times: 3 })
    api.dropConnections()
    await until(() => client.state === 'http')
    client.send(span('t1', 1))
    expect((await client.flush(2_000)).complete).toBe(true)
    expect(api.deliveries.http).toBe(1)
    await until(() => client.state === 'websocket')
    expect(client.stats.reconnects).toBe(1)
    await api.waitFor(() => api.registrations.length === 2)
  })

  test('concurrent traces are never mixed', async () => {
    const api = await server()
    const client = transport({ baseUrl: api.url })
    const run = async (traceId: string) => {
      client.send(traceStart(traceId))
      for (let n = 0; n < 20; n++) {
        await sleep(Math.random() * 3)
        client.send(span(traceId, n))
      }
      client.send(traceEnd(traceId))
    }
    const ids = Array.from({ length: 30 }, (_, n) => `trace-${n}`)
    const restart = (async () => {
      await sleep(15)
      await api.stop()
      await sleep(30)
      await api.start()
    })()
    await Promise.all([...ids.map(run), restart])
    expect((await client.flush(5_000)).complete).toBe(true)
    const traces = api.traces()
    expect([...traces.keys()].sort()).toEqual([...ids].sort())
    for (const [traceId, trace] of traces) {
      expect(trace.start?.id).toBe(traceId)
      expect(trace.end?.id).toBe(traceId)
      expect(trace.spans.map((item) => item.id).sort()).toEqual(Array.from({ length: 20 }, (_, n) => `${traceId}.s${n}`).sort())
      expect(trace.lossy).toBe(false)
    }
  })

  test('send stays fast and never throws', async () => {
    const api = await server()
    const client = transport({ baseUrl: api.url, maxBatchEvents: 500 })
    const events = Array.from({ length: 20_000 }, (_, n) => span('t1', n, { input: { n, text: 'hello world' } }))
    const started = performance.now()
    for (const event of events) client.send(event)
    const elapsed = performance.now() - started
    // A sanity bound only (≈ 1 µs per event measured); real figures are the benchmark's.
    expect(elapsed).toBeLessThan(1_000)
    expect(() => client.send(undefined as unknown as WireEvent)).not.toThrow()
    expect((await client.flush(10_000)).complete).toBe(true)
    expect(api.events.length).toBe(20_000)
  })

  test('transport traffic bypasses cassette interception (a recording cassette sees none of it)', async () => {
    const api = await server()
    const cassette = startCassette(join(tempDir(), 'run.cassette.json'), { mode: 'record' })
    try {
      const client = transport({ baseUrl: api.url })
      client.send(span('t1', 1))
      expect((await client.flush(2_000)).complete).toBe(true)
      expect(client.state).toBe('websocket')
      api.inject({ kind: 'status', status: 503 }, { on: ['upgrade'], times: Number.POSITIVE_INFINITY })
      api.dropConnections()
      await until(() => client.state === 'http')
      client.send(span('t1', 2))
      expect((await client.flush(2_000)).complete).toBe(true)
      expect(await client.checkPolicy({ traceId: 't1', name: 'agent', totals: { ...TOTALS, steps: 1 } })).toEqual({ verdict: 'allow' })
      expect(api.deliveries).toEqual({ websocket: 1, http: 1 })
      expect(cassette.interactions()).toEqual([])
    } finally {
      await cassette.stop({ write: false })
    }
  })
})

describe('journal', () => {
  test('server down for the whole run: events stay in the journal and the next transport delivers them', async () => {
    const api = await server()
    await api.stop()
    const journalDir = tempDir()
    const first = transport({ baseUrl: api.url, journalDir })
    const ids: string[] = []
    for (let n = 0; n < 250; n++) {
      const event = span('t1', n)
      ids.push(event.id)
      first.send(event)
    }
    const result = await first.flush(200)
    expect(result).toMatchObject({ complete: false, acknowledged: 0, pending: 250, journaled: 250 })
    await first.close(50)
    expect(first.stats.dropped).toBe(0)

    await api.start()
    const second = transport({ baseUrl: api.url, journalDir })
    expect(second.stats.recovered).toBe(250)
    await api.waitForEvents(250)
    expect((await second.flush(2_000)).complete).toBe(true)
    expectExactlyOnce(api, ids)
    await second.close()
    const [destination] = readdirSync(journalDir)
    expect(readdirSync(join(journalDir, destination!))).toEqual([])
  })

  test('journal unavailable and buffer full: the oldest events are dropped and their traces marked lossy', async () => {
    const api = await server()
    await api.stop()
    const notADirectory = join(tempDir(), 'file')
    writeFileSync(notADirectory, '')
    const lossy: string[] = []
    const client = transport({ baseUrl: api.url, journalDir: notADirectory, maxBufferedEvents: 100, maxBatchEvents: 10, onLossy: (id) => lossy.push(id) })
    client.send(traceStart('old'))
    for (let n = 0; n < 60; n++) client.send(span('old', n))
    await sleep(20)
    client.send(traceStart('new'))
    for (let n = 0; n < 60; n++) client.send(span('new', n))
    await sleep(20)
    client.send(traceEnd('old'))
    client.send(traceEnd('new'))
    await sleep(20)
    expect(client.errors.some((error) => error instanceof RetraceJournalError)).toBe(true)
    expect(client.isLossy('old')).toBe(true)
    expect(client.isLossy('new')).toBe(false)
    expect(lossy).toEqual(['old'])
    expect(client.stats.dropped).toBeGreaterThan(0)

    await api.start()
    expect((await client.flush(3_000)).complete).toBe(true)
    const traces = api.traces()
    expect(traces.get('old')).toMatchObject({ lossy: true, end: { lossy: true } })
    expect(traces.get('new')?.spans).toHaveLength(60)
    expect(traces.get('new')?.lossy).toBe(false)
  })

  test('unserialisable values are converted; events that cannot be serialised at all are dropped, reported and marked lossy', async () => {
    const api = await server()
    const client = transport({ baseUrl: api.url })
    client.send(span('t1', 1, { input: { big: 10n } as unknown as undefined }))
    const hostile = {}
    Object.defineProperty(hostile, 'secret', {
      enumerable: true,
      get() {
        throw new Error('boom')
      },
    })
    client.send(span('t2', 1, { input: hostile }))
    expect((await client.flush(2_000)).complete).toBe(true)
    expect(api.events.find((event) => event.id === 't1.s1')).toMatchObject({ span: { input: { big: '10n' } } })
    expect(client.errors.find((error) => error instanceof RetraceSerializationError)?.message).toContain('t2.s1')
    expect(client.isLossy('t2')).toBe(true)
    expect(client.stats.dropped).toBe(1)
    await until(() => api.traces().get('t2')?.lossy === true)
  })
})

describe('server refusals', () => {
  test('401 on the upgrade: sending stops, RetraceAuthError goes to onError, nothing is thrown', async () => {
    const api = await server({ apiKeys: ['rt_good'] })
    const client = transport({ baseUrl: api.url, apiKey: 'rt_bad' })
    client.send(span('t1', 1))
    await until(() => client.state === 'stopped')
    expect(client.errors).toHaveLength(1)
    expect(client.errors[0]).toBeInstanceOf(RetraceAuthError)
    expect(await client.flush(2_000)).toMatchObject({ complete: false, pending: 1, journaled: 1 })
    client.send(span('t1', 2))
    expect(client.stats.dropped).toBe(1)
    await sleep(100)
    expect(api.connectionsAccepted).toBe(0)
    expect(api.events).toEqual([])
  })

  test('401 over HTTP stops too', async () => {
    const api = await server()
    api.inject({ kind: 'status', status: 503 }, { on: ['upgrade'], times: Number.POSITIVE_INFINITY })
    api.inject({ kind: 'status', status: 401 }, { on: ['http'] })
    const client = transport({ baseUrl: api.url })
    client.send(span('t1', 1))
    await until(() => client.state === 'stopped')
    expect(client.errors.map((error) => error.constructor)).toEqual([RetraceAuthError])
  })

  test('402: RetraceCreditsExhaustedError, delivery pauses, then resumes', async () => {
    const api = await server()
    api.inject({ kind: 'status', status: 402, retryAfterSeconds: 0.2 }, { on: ['upgrade'] })
    const client = transport({ baseUrl: api.url })
    client.send(span('t1', 1))
    await until(() => client.errors.length > 0)
    expect(client.errors[0]).toBeInstanceOf(RetraceCreditsExhaustedError)
    expect(client.state).toBe('paused')
    expect((await client.flush(3_000)).complete).toBe(true)
    expect(api.events).toHaveLength(1)
  })

  test('429 on a WebSocket batch: RetraceRateLimitError with retryAfter, nothing sent during the pause', async () => {
    const api = await server()
    api.inject({ kind: 'status', status: 429, retryAfterSeconds: 0.3 }, { on: ['websocket'] })
    // Times and state are taken where things happen (the error as it is reported, an event as
    // the server receives it), not when a poll gets round to them: a loaded machine delays polls.
    const reports: { error: RetraceError; at: number; state: string | undefined }[] = []
    const client: Transport = transport({ baseUrl: api.url, onError: (error) => reports.push({ error, at: Date.now(), state: client?.state }) })
    let firstReceivedAt: number | undefined
    const received = api.waitFor(() => (firstReceivedAt ??= api.receivedIds.length > 0 ? Date.now() : undefined) !== undefined)
    client.send(span('t1', 1))
    await until(() => reports.length > 0)
    const [limited] = reports
    expect(limited!.error).toBeInstanceOf(RetraceRateLimitError)
    expect((limited!.error as RetraceRateLimitError).retryAfter).toBe(0.3)
    expect(limited!.state).toBe('paused')
    client.send(span('t1', 2))
    expect((await client.flush(3_000)).complete).toBe(true)
    await received
    // The first event the server got (either one) came after the pause.
    expect(firstReceivedAt! - limited!.at).toBeGreaterThanOrEqual(250)
    expectExactlyOnce(api, ['t1.s1', 't1.s2'])
    expect(reports).toHaveLength(1)
  })

  test('429 over HTTP honours retry-after', async () => {
    const api = await server()
    api.inject({ kind: 'status', status: 503 }, { on: ['upgrade'], times: Number.POSITIVE_INFINITY })
    api.inject({ kind: 'status', status: 429, retryAfterSeconds: 0.2 }, { on: ['http'] })
    const client = transport({ baseUrl: api.url })
    client.send(span('t1', 1))
    const started = Date.now()
    expect((await client.flush(3_000)).complete).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(180)
    expect(client.errors.map((error) => error.constructor)).toEqual([RetraceRateLimitError])
  })

  test('5xx over HTTP is retried with backoff; one RetraceConnectionError per outage', async () => {
    const api = await server()
    api.inject({ kind: 'status', status: 503 }, { on: ['upgrade'], times: Number.POSITIVE_INFINITY })
    api.inject({ kind: 'status', status: 500 }, { on: ['http'], times: 3 })
    const client = transport({ baseUrl: api.url })
    client.send(span('t1', 1))
    expect((await client.flush(3_000)).complete).toBe(true)
    expect(client.errors.map((error) => error.code)).toEqual(['RETRACE_CONNECTION'])
    expectExactlyOnce(api, ['t1.s1'])
  })

  test('a batch refused as invalid is dropped, reported, and its trace marked lossy', async () => {
    const api = await server()
    const client = transport({ baseUrl: api.url })
    client.send(traceStart('t1'))
    client.send({ type: 'span', id: 'broken', span: { id: 'broken', traceId: 't1' } } as unknown as WireEvent)
    expect((await client.flush(2_000)).complete).toBe(true)
    expect(client.errors.map((error) => error.code)).toEqual(['RETRACE_BATCH_REJECTED'])
    expect(client.isLossy('t1')).toBe(true)
    await until(() => api.traces().get('t1')?.lossy === true)
  })

  test('an unreachable server is harmless: nothing throws, nothing waits, the journal keeps the events', async () => {
    const client = transport({ baseUrl: 'http://127.0.0.1:9', handshakeTimeoutMs: 200 })
    for (let n = 0; n < 10; n++) client.send(span('t1', n))
    const result = await client.flush(150)
    expect(result).toMatchObject({ complete: false, pending: 10, journaled: 10 })
    expect(client.errors.map((error) => error.code)).toEqual(['RETRACE_CONNECTION'])
    expect(await client.checkPolicy({ traceId: 't1', name: 'agent', totals: { ...TOTALS, steps: 1 } })).toBeUndefined()
  })

  test('createTransport refuses plain http to a remote host, and a base URL that is not http(s)', () => {
    expect(() => createTransport({ baseUrl: 'http://api.example.com', apiKey: 'k', journalDir: false })).toThrow(/plain http/)
    expect(() => createTransport({ baseUrl: 'ftp://api.example.com', apiKey: 'k', journalDir: false })).toThrow(/http\(s\)/)
  })
})

describe('server messages', () => {
  test('resume commands reach onMessage listeners; a failing listener is reported, not thrown', async () => {
    const api = await server()
    const client = transport({ baseUrl: api.url })
    const received: unknown[] = []
    client.onMessage((message) => received.push(message))
    const unsubscribe = client.onMessage(() => {
      throw new Error('listener bug')
    })
    await until(() => client.state === 'websocket')
    api.sendResume({ forkId: 'f1', traceId: 't1', forkPointStep: 3, modifiedInput: ['Paris'] })
    await until(() => received.length === 1)
    expect(received[0]).toEqual({ type: 'resume', forkId: 'f1', traceId: 't1', forkPointStep: 3, modifiedInput: ['Paris'] })
    expect(client.errors.map((error) => error.code)).toEqual(['RETRACE_RESUME'])
    unsubscribe()
  })

  test('updateRegistration sends the current list of resumable functions', async () => {
    const api = await server()
    const names = ['a']
    const client = transport({ baseUrl: api.url, resumable: () => names })
    await api.waitFor(() => api.registrations.length === 1)
    names.push('b')
    client.updateRegistration()
    await api.waitFor(() => api.registrations.length === 2)
    expect(api.registrations.map((message) => message.resumable)).toEqual([['a'], ['a', 'b']])
  })

  test('checkPolicy returns the verdict, or undefined when the server does not answer in time', async () => {
    const api = await server({ policy: { verdict: 'block', reason: 'budget' } })
    const client = transport({ baseUrl: api.url })
    const request = { traceId: 't1', name: 'agent', totals: { ...TOTALS, steps: 4 } }
    expect(await client.checkPolicy(request)).toEqual({ verdict: 'block', reason: 'budget' })
    expect(api.policyChecks).toEqual([request])
    api.inject({ kind: 'no-ack' }, { on: ['policy'] })
    const started = Date.now()
    expect(await client.checkPolicy(request, 100)).toBeUndefined()
    expect(Date.now() - started).toBeLessThan(1_000)
  })
})
