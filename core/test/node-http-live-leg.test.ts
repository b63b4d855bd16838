import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import axios from 'axios'
import got from 'got'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readCassetteFile } from '@retrace/cassettes'
import { startFakeProvider } from '@retrace/fake-provider'
import { startCassette } from '../src/index.ts'
import { FAKE_KEYS } from './provider-scenarios.ts'
import { tempCassettePath } from '../../test-support/temp-dir.ts'

// A local HTTPS server with a self-signed certificate, made at run time (no key is kept in
// the repository). Without Retrace, callers reach it by trusting the certificate themselves;
// under a recording the live leg must use the same TLS options, agent and proxy.

interface Pem {
  cert: string
  key: string
}

let pem: Pem
let server: https.Server
let mutualServer: https.Server
let proxy: net.Server
let proxyConnects = 0
let origin: string
let mutualOrigin: string
let proxyUrl: string

function selfSigned(): Pem {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-tls-'))
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' })
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function listen(target: net.Server): Promise<number> {
  return new Promise((resolve) => target.listen(0, '127.0.0.1', () => resolve((target.address() as AddressInfo).port)))
}

const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const socket = req.socket as import('node:tls').TLSSocket
  const body = JSON.stringify({ path: req.url, host: req.headers.host, clientCertificate: socket.authorized === true })
  res.writeHead(200, { 'content-type': 'application/json' }).end(body)
}

beforeAll(async () => {
  pem = selfSigned()
  server = https.createServer({ cert: pem.cert, key: pem.key }, answer)
  // Mutual TLS: only a client presenting the certificate gets an answer.
  mutualServer = https.createServer({ cert: pem.cert, key: pem.key, ca: pem.cert, requestCert: true, rejectUnauthorized: true }, answer)
  // A CONNECT proxy, as corporate networks have: it only tunnels bytes.
  proxy = http.createServer().on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    proxyConnects++
    const [host, port] = (req.url ?? '').split(':')
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.pipe(client).pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  origin = `https://127.0.0.1:${await listen(server)}`
  mutualOrigin = `https://127.0.0.1:${await listen(mutualServer)}`
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`
})

afterAll(() => {
  for (const target of [server, mutualServer, proxy]) {
    target.close()
    if ('closeAllConnections' in target) (target as http.Server).closeAllConnections()
  }
})

/** GET over node:https with the given options; resolves with the status and parsed body. */
function get(url: string, options: https.RequestOptions): Promise<{ status: number; body: { path: string; clientCertificate: boolean } }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { ...options, method: 'GET' }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
      res.on('error', reject)
    })
    request.on('error', reject)
    request.end()
  })
}

class CountingAgent extends https.Agent {
  connections = 0
  override createConnection(...args: Parameters<https.Agent['createConnection']>): ReturnType<https.Agent['createConnection']> {
    this.connections++
    return super.createConnection(...args)
  }
}

const cases: Array<{ name: string; url: () => string; options: () => https.RequestOptions; clientCertificate?: boolean }> = [
  { name: '{ ca }', url: () => `${origin}/ca`, options: () => ({ ca: pem.cert }) },
  { name: '{ rejectUnauthorized: false }', url: () => `${origin}/insecure`, options: () => ({ rejectUnauthorized: false }) },
  { name: '{ agent: new https.Agent({ ca }) }', url: () => `${origin}/agent`, options: () => ({ agent: new https.Agent({ ca: pem.cert }) }) },
  { name: 'a client certificate { ca, cert, key }', url: () => `${mutualOrigin}/mutual`, options: () => ({ ca: pem.cert, cert: pem.cert, key: pem.key }), clientCertificate: true },
]

describe('node:https keeps the caller’s TLS options while recording', () => {
  test.each(cases)('$name: 200 without Retrace, 200 recorded, the same replayed offline', async ({ url, options, clientCertificate = false }) => {
    const expected = { status: 200, body: { path: new URL(url()).pathname, clientCertificate } }
    expect(await get(url(), options())).toMatchObject(expected)

    const file = tempCassettePath()
    const recording = startCassette(file, { mode: 'record' })
    const recorded = await get(url(), options())
    await recording.stop()
    expect(recorded).toMatchObject(expected)
    expect(readCassetteFile(file)!.interactions.map((interaction) => interaction.response?.status)).toEqual([200])

    const replaying = startCassette(file, { mode: 'replay' })
    const replayed = await get(url(), options())
    await replaying.stop()
    expect(replayed).toEqual(recorded)
    expect(replaying.mismatches).toEqual([])
  })

  test('the caller’s own agent makes the live connection', async () => {
    const agent = new CountingAgent({ ca: pem.cert, keepAlive: false })
    const recording = startCassette(tempCassettePath(), { mode: 'record' })
    const result = await get(`${origin}/counted`, { agent })
    await recording.stop()
    expect(result.status).toBe(200)
    expect(agent.connections).toBe(1)
  })

  test('a proxy agent is used: the live call tunnels through the caller’s proxy', async () => {
    const before = proxyConnects
    const agent = new https.Agent({ ca: pem.cert, proxyEnv: { HTTPS_PROXY: proxyUrl } } as https.AgentOptions)
    const recording = startCassette(tempCassettePath(), { mode: 'record' })
    const result = await get(`${origin}/proxied`, { agent })
    await recording.stop()
    expect(result.status).toBe(200)
    expect(proxyConnects).toBe(before + 1)
  })

  test('got with https.certificateAuthority records and replays', async () => {
    const file = tempCassettePath()
    const call = () => got(`${origin}/got`, { https: { certificateAuthority: pem.cert }, retry: { limit: 0 } }).json<{ path: string }>()
    expect(await call()).toMatchObject({ path: '/got' })

    const recording = startCassette(file, { mode: 'record' })
    const recorded = await call()
    await recording.stop()
    expect(recorded).toMatchObject({ path: '/got' })

    const replaying = startCassette(file, { mode: 'replay' })
    expect(await call()).toEqual(recorded)
    await replaying.stop()
    expect(replaying.mismatches).toEqual([])
  })

  test('a caller without the certificate still fails as it would without Retrace', async () => {
    const recording = startCassette(tempCassettePath(), { mode: 'record' })
    const error = await get(`${origin}/untrusted`, {}).catch((failure: unknown) => failure)
    await recording.stop()
    expect((error as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
  })
})

test('a gzipped live answer over node:http reaches the caller decoded and is stored as JSON', async () => {
  const provider = await startFakeProvider({ gzip: true })
  try {
    const file = tempCassettePath()
    const recording = startCassette(file, { mode: 'record' })
    const response = await axios.post(
      `${provider.openaiBaseURL}/chat/completions`,
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'zip it' }] },
      { headers: { authorization: `Bearer ${FAKE_KEYS.openai}` } },
    )
    await recording.stop()
    expect(response.data.choices[0].message.content).toBe('You said: zip it')
    expect(readCassetteFile(file)!.interactions[0]!.response!.body).toEqual({ json: expect.objectContaining({ object: 'chat.completion' }) })
  } finally {
    await provider.stop()
  }
})
