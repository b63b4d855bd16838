import dns, { lookup as importedLookup } from 'node:dns'
import http from 'node:http'
import http2 from 'node:http2'
import net from 'node:net'
import tls from 'node:tls'
import { mkdtempSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { EgressBlockedError, installInterception, openRunLedger, startCassette, withCassette, withoutInterception, type CassetteOptions } from '../../index.ts'
import { readRunLedger } from '../../internal.ts'

// In replay nothing reaches the network, whatever the transport: what Retrace cannot answer
// from the cassette (raw TCP and TLS, HTTP/2, WebSocket, DNS) is refused with
// EgressBlockedError and counted, as nock's disableNetConnect and pytest-socket do.

/** Local servers: each counts the connections that reached it. */
const servers = { tcp: 0, http: 0, h2: 0, ws: 0 }
let tcpPort: number
let httpUrl: string
let h2Url: string
let wsUrl: string
const closers: Array<() => void> = []
let replayFile: string

async function listen(server: net.Server, count: keyof typeof servers): Promise<number> {
  server.on('connection', () => servers[count]++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => server.close())
  return (server.address() as net.AddressInfo).port
}

beforeAll(async () => {
  tcpPort = await listen(net.createServer((socket) => socket.end('hello from tcp')), 'tcp')
  const web = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"live":true}'))
  httpUrl = `http://127.0.0.1:${await listen(web, 'http')}/v1/chat/completions`
  closers.push(() => web.closeAllConnections())
  const h2 = http2.createServer((_req, res) => res.end('live over h2'))
  h2Url = `http://127.0.0.1:${await listen(h2, 'h2')}`
  const wsHttp = http.createServer()
  const wss = new WebSocketServer({ server: wsHttp })
  wss.on('connection', (socket) => socket.send('live over ws'))
  wsUrl = `ws://127.0.0.1:${await listen(wsHttp, 'ws')}`
  closers.push(() => wss.close())
  // A cassette with one recorded call to the local HTTP server.
  replayFile = join(mkdtempSync(join(tmpdir(), 'retrace-raw-')), 'chat.cassette.json')
  const recording = startCassette(replayFile, { mode: 'record' })
  await (await fetch(httpUrl, { method: 'POST', body: '{"q":1}' })).text()
  await recording.stop()
})
afterAll(() => {
  for (const close of closers) close()
})
afterEach(() => {
  delete process.env.RETRACE_ALLOW_HOSTS
  delete process.env.RETRACE_BLOCK_EGRESS
  delete process.env.RETRACE_RUN_DIR
})

const connections = () => ({ ...servers })

/** Connects and reads what the server says first, or the error. */
function exchange(socket: net.Socket): Promise<string | Error> {
  return new Promise((resolve) => {
    let text = ''
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
    socket.on('end', () => resolve(text))
    socket.on('error', resolve)
  })
}

function http2Request(url: string): Promise<string | Error> {
  return new Promise((resolve) => {
    const client = http2.connect(url)
    client.on('error', resolve)
    const stream = client.request({ ':path': '/' })
    let text = ''
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()))
    stream.on('end', () => {
      client.close()
      resolve(text)
    })
    stream.on('error', resolve)
    stream.end()
  })
}

function webSocketMessage(url: string): Promise<string | Event> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url)
    socket.addEventListener('message', (event) => {
      socket.close()
      resolve(String(event.data))
    })
    socket.addEventListener('error', resolve)
  })
}

/** Runs `fn` inside a replay of the recorded cassette; returns what it gave and the summary. */
async function inReplay<T>(fn: () => Promise<T>, options: CassetteOptions = {}) {
  const cassette = startCassette(replayFile, { mode: 'replay', ...options })
  const result = await cassette.run(fn)
  return { result, summary: await cassette.stop(), mismatches: cassette.mismatches }
}

describe('inside a replay cassette', () => {
  test('net.connect and tls.connect are refused before dialling, and counted', async () => {
    const before = connections()
    const { result, summary, mismatches } = await inReplay(async () => [
      await exchange(net.connect(tcpPort, '127.0.0.1')),
      await exchange(tls.connect({ host: '127.0.0.1', port: tcpPort })),
      await exchange(net.createConnection({ host: 'db.internal.example', port: 5432 })),
    ])
    expect(result.map((value) => value instanceof EgressBlockedError)).toEqual([true, true, true])
    expect(mismatches.map((error) => `${error.method} ${error.url}`)).toEqual([
      `TCP tcp://127.0.0.1:${tcpPort}`,
      `TLS tls://127.0.0.1:${tcpPort}`,
      'TCP tcp://db.internal.example:5432',
    ])
    expect(summary).toMatchObject({ mismatches: 3, egress: 3 })
    expect(connections()).toEqual(before)
    expect(mismatches[0]!.message).toContain(`Replay blocked a TCP connection to 127.0.0.1:${tcpPort}: cassette ${replayFile} answers HTTP requests only`)
    expect(mismatches[0]!.hint).toContain('allowHosts')
  })

  test('an HTTP/2 request and a WebSocket exchange are refused', async () => {
    const before = connections()
    const { result, summary } = await inReplay(async () => ({ h2: await http2Request(h2Url), ws: await webSocketMessage(wsUrl) }))
    expect(result.h2).toBeInstanceOf(EgressBlockedError)
    expect(result.ws).toBeInstanceOf(Event)
    expect((result.ws as Event).type).toBe('error')
    expect(summary).toMatchObject({ mismatches: 2, egress: 2 })
    expect(connections()).toEqual(before)
  })

  test('DNS queries are refused, in every form', async () => {
    const callback = (query: (done: (error: Error | null) => void) => void) => new Promise<Error | null>((resolve) => query(resolve))
    const { result, summary } = await inReplay(async () => [
      await callback((done) => dns.lookup('api.example.com', done)),
      await callback((done) => importedLookup('api.example.com', done)),
      await callback((done) => dns.resolve4('api.example.com', done)),
      await callback((done) => new dns.Resolver().resolveTxt('example.com', done)),
      await dns.promises.resolveMx('example.com').catch((error: unknown) => error),
      await dns.promises.lookup('api.example.com').catch((error: unknown) => error),
    ])
    expect(result.map((value) => value instanceof EgressBlockedError)).toEqual([true, true, true, true, true, true])
    expect((result[0] as EgressBlockedError).url).toBe('dns://api.example.com')
    expect(summary.egress).toBe(6)
  })

  test('looking up an address or localhost is not egress: a test can still start a local server', async () => {
    const { result, summary } = await inReplay(async () => {
      const server = net.createServer()
      await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve))
      server.close()
      return dns.promises.lookup('127.0.0.1')
    })
    expect(result).toEqual({ address: '127.0.0.1', family: 4 })
    expect(summary.mismatches).toBe(0)
  })

  test('the recorded HTTP call still replays from the in-process server (node:http over an in-memory socket)', async () => {
    const before = connections()
    const { result, summary } = await inReplay(
      () =>
        new Promise<string>((resolve, reject) => {
          const request = http.request(httpUrl, { method: 'POST' }, (res) => {
            let text = ''
            res.on('data', (chunk: Buffer) => (text += chunk.toString()))
            res.on('end', () => resolve(text))
          })
          request.on('error', reject)
          request.end('{"q":1}')
        }),
    )
    expect(result).toBe('{"live":true}')
    expect(summary).toMatchObject({ replayed: 1, mismatches: 0, egress: 0 })
    expect(connections()).toEqual(before)
  })

  test('allowHosts opens the hosts it names, loopback only when named', async () => {
    const viaLocalhost = await inReplay(() => exchange(net.connect(tcpPort, '127.0.0.1')), { allowHosts: ['localhost'] })
    expect(viaLocalhost.result).toBe('hello from tcp')
    const viaAddress = await inReplay(() => exchange(net.connect({ host: '127.0.0.1', port: tcpPort })), { allowHosts: ['127.0.0.1'] })
    expect(viaAddress.result).toBe('hello from tcp')
    const otherHostNamed = await inReplay(() => exchange(net.connect(tcpPort, '127.0.0.1')), { allowHosts: ['api.example.com'] })
    expect(otherHostNamed.result).toBeInstanceOf(EgressBlockedError)
    process.env.RETRACE_ALLOW_HOSTS = 'localhost'
    const fromEnvironment = await inReplay(() => exchange(net.connect(tcpPort, '127.0.0.1')))
    expect(fromEnvironment.result).toBe('hello from tcp')
  })

  test('a host allowed with its port is looked up too: the lookup belongs to the allowed connection', async () => {
    // The machine's own name: resolved by the system (hosts file), and never a cassette host.
    const host = hostname()
    const { result, summary } = await inReplay(() => exchange(net.connect(tcpPort, host)), { allowHosts: [`${host}:${tcpPort}`] })
    expect(result).not.toBeInstanceOf(EgressBlockedError)
    expect(summary.mismatches).toBe(0)
  })

  test("Retrace's own connections (withoutInterception) and local IPC sockets still go", async () => {
    const ipcPath = join(mkdtempSync(join(tmpdir(), 'retrace-ipc-')), 'ipc.sock')
    const ipc = net.createServer((socket) => socket.end('hello over ipc'))
    await new Promise<void>((resolve) => ipc.listen(ipcPath, resolve))
    try {
      const { result, summary } = await inReplay(async () => [
        await withoutInterception(() => exchange(net.connect(tcpPort, '127.0.0.1'))),
        await exchange(net.connect(ipcPath)),
      ])
      expect(result).toEqual(['hello from tcp', 'hello over ipc'])
      expect(summary.mismatches).toBe(0)
    } finally {
      ipc.close()
    }
  })

  test('withCassette fails closed when the agent caught the refusal', async () => {
    const run = withCassette(replayFile, { mode: 'replay' }, async () => {
      const outcome = await exchange(net.connect(tcpPort, '127.0.0.1'))
      return outcome instanceof Error ? 'caught it, carried on' : outcome
    })
    await expect(run).rejects.toBeInstanceOf(EgressBlockedError)
  })

  test('each refusal reaches the run ledger, caught or not; matchers that report themselves pass ledger: false', async () => {
    const ledger = openRunLedger()
    await inReplay(async () => {
      await exchange(net.connect(tcpPort, '127.0.0.1'))
      await fetch(httpUrl, { method: 'POST', body: '{"q":2}' }).catch(() => undefined)
    })
    expect(readRunLedger(ledger.dir)!.map(({ cassette, outcome }) => ({ cassette, outcome }))).toEqual([
      { cassette: replayFile, outcome: 'egress' },
      { cassette: replayFile, outcome: 'request-changed' },
    ])
    await inReplay(() => exchange(net.connect(tcpPort, '127.0.0.1')), { ledger: false })
    expect(readRunLedger(ledger.dir)).toHaveLength(2)
  })
})

describe('other modes and no cassette', () => {
  test('recording and passthrough go live', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'retrace-raw-')), 'record.cassette.json')
    for (const mode of ['record', 'passthrough'] as const) {
      const cassette = startCassette(file, { mode })
      expect(await cassette.run(() => exchange(net.connect(tcpPort, '127.0.0.1')))).toBe('hello from tcp')
      await cassette.stop()
    }
  })

  test('outside any cassette, connections go unless retrace ci replay blocks egress: then they are refused and counted, loopback only when named', async () => {
    // As under the gate, which installs Retrace in every process it starts (@retrace/core/setup).
    const release = installInterception()
    onTestFinished(release)
    expect(await exchange(net.connect(tcpPort, '127.0.0.1'))).toBe('hello from tcp')
    const ledger = openRunLedger()
    process.env.RETRACE_BLOCK_EGRESS = '1'
    const refused = await exchange(net.connect(tcpPort, '127.0.0.1'))
    expect(refused).toBeInstanceOf(EgressBlockedError)
    expect((refused as Error).message).toContain('made outside any cassette')
    expect(await webSocketMessage(wsUrl)).toBeInstanceOf(Event)
    expect(readRunLedger(ledger.dir)!.map((entry) => [entry.outcome, entry.message])).toEqual([
      ['egress', `TCP tcp://127.0.0.1:${tcpPort}`],
      ['egress', `TCP tcp://127.0.0.1:${wsUrl.split(':').at(-1)}`],
    ])
    process.env.RETRACE_ALLOW_HOSTS = 'localhost'
    expect(await exchange(net.connect(tcpPort, '127.0.0.1'))).toBe('hello from tcp')
  })
})
