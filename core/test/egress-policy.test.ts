import http from 'node:http'
import { request as undiciRequest } from 'undici'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { EgressBlockedError, installInterception, openRunLedger, type RunLedger } from '../src/index.ts'
import { readRunLedger } from '../src/internal.ts'

// What `retrace ci replay` sets: requests made outside any cassette are refused, except to
// allowed hosts (loopback only when named), and each refusal reaches the run ledger.
let release: () => void
let ledger: RunLedger
beforeEach(() => {
  release = installInterception()
  delete process.env.RETRACE_RUN_DIR
  ledger = openRunLedger()
  process.env.RETRACE_BLOCK_EGRESS = '1'
})
afterEach(() => {
  delete process.env.RETRACE_BLOCK_EGRESS
  delete process.env.RETRACE_ALLOW_HOSTS
  delete process.env.RETRACE_RUN_DIR
  release()
})

test('fetch outside any cassette is refused before any DNS lookup, and reported', async () => {
  const error = await fetch('https://api.openai.com/v1/models').catch((e: unknown) => e)
  expect(error).toBeInstanceOf(EgressBlockedError)
  expect((error as Error).message).toContain('GET https://api.openai.com/v1/models: it was made outside any cassette')
  expect(readRunLedger(ledger.dir)).toEqual([{ testPath: '', testName: '', cassette: '', outcome: 'egress', message: 'GET https://api.openai.com/v1/models' }])
})

test('undici and node:http are refused the same way', async () => {
  await expect(undiciRequest('https://example.com/x')).rejects.toBeInstanceOf(EgressBlockedError)
  const httpError = await new Promise<Error>((resolve) => {
    const request = http.request('http://example.com/y', { method: 'POST' }, () => resolve(new Error('got a response')))
    request.on('error', resolve)
    request.end('{}')
  })
  expect(httpError).toBeInstanceOf(EgressBlockedError)
  expect(readRunLedger(ledger.dir)!.map((entry) => entry.message)).toEqual(['GET https://example.com/x', 'POST http://example.com'])
})

test('loopback passes only when named, like any allowed host', async () => {
  const server = http.createServer((_req, res) => res.end('local'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const port = (server.address() as { port: number }).port
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(EgressBlockedError)
    expect(readRunLedger(ledger.dir)!.map((entry) => entry.message)).toEqual([`GET http://127.0.0.1:${port}/`])
    process.env.RETRACE_ALLOW_HOSTS = 'localhost, internal.example, *.corp.example'
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('local')
    // Allowed, so it goes out (and fails only because the name does not resolve here).
    const error = await fetch('http://api.corp.example/x').catch((e: unknown) => e)
    expect(error).not.toBeInstanceOf(EgressBlockedError)
    expect(readRunLedger(ledger.dir)).toHaveLength(1)
  } finally {
    server.close()
  }
})
