import http, { type Server } from 'node:http'
import { HttpResponse, http as mswHttp } from 'msw'
import { setupServer } from 'msw/node'
import nock from 'nock'
import * as undici from 'undici'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { installInterception, startCassette } from '../src/index.ts'
import { httpFetch } from './http-fetch.ts'
import { tempCassettePath } from '../../test-support/temp-dir.ts'

// Users mock an OpenAI error with msw (or nock) in one test and replay a cassette for the same
// host in the next, in one file and one process. Whatever Retrace's live leg opened while
// recording must not outlive it: msw and nock see a request only when it opens a connection,
// so a kept-alive socket left in a pool would carry the next request past them to the server.

// Taken before any interception: this reference reaches the network through undici's global
// dispatcher, where Retrace's dispatcher layer records it.
const nativeFetch = globalThis.fetch
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })

let live: Server
let liveRequests = 0
let origin: string
const path = '/v1/chat/completions'
beforeAll(async () => {
  live = http.createServer((req, res) => {
    liveRequests++
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ live: true })))
  })
  await new Promise<void>((resolve) => live.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(live.address() as { port: number }).port}`
})
afterAll(() => {
  live.closeAllConnections()
  live.close()
})

type Send = (url: string) => Promise<unknown>
const json = async (response: Response) => (await response.json()) as unknown
// msw intercepts fetch and node:http only; nock intercepts undici.request too.
const transports: Array<{ name: string; send: Send; msw: boolean }> = [
  { name: 'global fetch', send: async (url) => json(await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })), msw: true },
  { name: 'fetch taken before Retrace', send: async (url) => json(await nativeFetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })), msw: true },
  { name: 'node:http', send: async (url) => json(await httpFetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })), msw: true },
  {
    name: 'undici.request',
    send: async (url) => (await undici.request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).body.json(),
    msw: false,
  },
]

/** Records then replays one call over every transport, as a cassette test would. */
async function recordAndReplay(): Promise<void> {
  const file = tempCassettePath()
  const recording = startCassette(file, { mode: 'record' })
  for (const { send } of transports) expect(await send(origin + path)).toEqual({ live: true })
  await recording.stop()
  const before = liveRequests
  const replaying = startCassette(file, { mode: 'replay' })
  for (const { send } of transports) expect(await send(origin + path)).toEqual({ live: true })
  expect((await replaying.stop()).mismatches).toBe(0)
  expect(liveRequests).toBe(before)
  // Let the pools of undici and node:http settle, as the gap between two tests does.
  await new Promise((resolve) => setTimeout(resolve, 20))
}

/** msw answers every transport, and an unmocked path on the same host is its error, not the server's. */
async function expectMswInCharge(): Promise<void> {
  const server = setupServer(mswHttp.post(origin + path, () => HttpResponse.json({ mocked: 'msw' })))
  // msw 3 spells it onUnhandledFrame; its "error" strategy prints the error and fails the request.
  server.listen({ onUnhandledFrame: 'error' })
  const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
  const before = liveRequests
  try {
    for (const { name, send } of transports.filter((transport) => transport.msw)) expect(await send(origin + path), name).toEqual({ mocked: 'msw' })
    const refused = await fetch(`${origin}/v1/unmocked`, { method: 'POST', body }).catch((error: unknown) => error)
    expect(String((refused as Error).cause)).toContain('Cannot bypass a request when using the "error" strategy')
  } finally {
    server.close()
    printed.mockRestore()
  }
  expect(liveRequests).toBe(before)
}

/** nock answers every transport, and with net connect disabled nothing else reaches the server. */
async function expectNockInCharge(): Promise<void> {
  if (!nock.isActive()) nock.activate()
  nock.disableNetConnect()
  const before = liveRequests
  try {
    for (const { name, send } of transports) {
      nock(origin).post(path).reply(200, { mocked: 'nock' })
      expect(await send(origin + path), name).toEqual({ mocked: 'nock' })
    }
    // nock answers a disallowed fetch with a 501 naming the reason.
    const refused = await fetch(`${origin}/v1/unmocked`, { method: 'POST', body })
    expect(refused.status).toBe(501)
    expect(await refused.text()).toContain('ERR_NOCK_NO_MATCH')
  } finally {
    nock.cleanAll()
    nock.enableNetConnect()
    nock.restore()
  }
  expect(liveRequests).toBe(before)
}

// nock switches itself on when imported: start every case with it off.
beforeAll(() => nock.restore())

describe.each([
  { setup: 'installed only while a cassette runs', install: () => () => {} },
  { setup: 'installed for the whole file (setup file)', install: installInterception },
])('Retrace $setup', ({ install }) => {
  let release: () => void
  beforeAll(() => void (release = install()))
  afterAll(() => release())

  test('a cassette, then msw for the same host', async () => {
    await recordAndReplay()
    await expectMswInCharge()
  })

  test('msw, then a cassette, then msw again', async () => {
    await expectMswInCharge()
    await recordAndReplay()
    await expectMswInCharge()
  })

  test('a cassette, then nock with net connect disabled', async () => {
    await recordAndReplay()
    await expectNockInCharge()
  })

  test('nock, then a cassette, then nock again', async () => {
    await expectNockInCharge()
    await recordAndReplay()
    await expectNockInCharge()
  })
})
