import http from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// `retrace ci replay -- node script.mjs`: a plain script, with no test runner and no Retrace
// set-up of its own, that calls a (loopback) server before, inside and after a cassette. Under
// the gate nothing outside a cassette may reach it, caught or not, and every refusal is exit 3.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')

const SCRIPT = `import net from 'node:net'
import { startCassette } from '@retrace/core'

const live = process.env.LIVE_URL
const when = process.argv[2]
const call = (path = '/v1/chat/completions') => fetch(live + path, { method: 'POST', body: '{"q":1}' }).then((response) => response.text())
const attempt = (what, run) => run().then((value) => console.log(what, 'answered', value), (error) => console.log(what, 'refused', error.name))
const connect = () =>
  new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(live).port), '127.0.0.1', () => resolve(socket.end() && 'connected'))
    socket.on('error', reject)
  })

if (when === 'before') await attempt('before', call)
if (when === 'uncaught') await call()
const cassette = startCassette('chat.cassette.json')
console.log('cassette answered', await call())
if (when === 'inside') await attempt('inside', () => call('/v1/other'))
await cassette.stop()
if (when === 'after') await attempt('after', call)
if (when === 'socket') await attempt('socket', connect)
`

let live: http.Server
let liveUrl: string
let liveRequests = 0
let liveConnections = 0
let project: FixtureProject

const gate = (when: string, extra: string[] = []) =>
  runInProject(project, process.execPath, [retraceBin, 'ci', 'replay', ...extra, '--', process.execPath, 'script.mjs', when], { LIVE_URL: liveUrl })

beforeAll(async () => {
  live = http.createServer((req, res) => {
    liveRequests++
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"live":true}'))
  })
  live.on('connection', () => liveConnections++)
  await new Promise<void>((resolve) => live.listen(0, '127.0.0.1', resolve))
  liveUrl = `http://127.0.0.1:${(live.address() as { port: number }).port}`
  project = createFixtureProject({ 'package.json': JSON.stringify({ name: 'script-fixture', private: true, type: 'module' }), 'script.mjs': SCRIPT })
  const recorded = await runInProject(project, process.execPath, ['script.mjs', 'clean'], { LIVE_URL: liveUrl, RETRACE_MODE: 'record' })
  expect(recorded.output).toContain('cassette answered {"live":true}')
  expect(project.cassettes()).toEqual(['chat.cassette.json'])
})
afterAll(() => {
  live.closeAllConnections()
  live.close()
})

describe('retrace ci replay -- node script.mjs', () => {
  test('a script that only calls inside its cassette passes, offline', async () => {
    const before = liveRequests
    const result = await gate('clean')
    expect(result.output).toContain('cassette answered {"live":true}')
    expect(result.output).toContain('PASS · 0 matched · 0 regression(s) · 0 missing · 0 unmatched egress')
    expect(result.code).toBe(0)
    expect(liveRequests).toBe(before)
  })

  test.each(['before', 'after'])('a fetch %s the cassette is refused even when caught: exit 3', async (when) => {
    const before = { requests: liveRequests, connections: liveConnections }
    const result = await gate(when)
    expect(result.output).toContain(`${when} refused EgressBlockedError`)
    expect(result.output).toContain('1 unmatched egress')
    expect(result.output).toContain(`POST ${liveUrl}/v1/chat/completions`)
    expect(result.code).toBe(3)
    expect({ requests: liveRequests, connections: liveConnections }).toEqual(before)
  })

  test('an uncaught refusal is exit 3 too, not a plain test failure', async () => {
    const result = await gate('uncaught')
    expect(result.output).toContain('1 unmatched egress')
    expect(result.code).toBe(3)
  })

  test('a raw socket outside any cassette is refused and counted', async () => {
    const before = liveConnections
    const result = await gate('socket')
    expect(result.output).toContain('socket refused EgressBlockedError')
    expect(result.output).toContain(`TCP tcp://127.0.0.1:${new URL(liveUrl).port}`)
    expect(result.code).toBe(3)
    expect(liveConnections).toBe(before)
  })

  test('a request the cassette refused, caught by the script, still fails the gate', async () => {
    const before = liveRequests
    const result = await gate('inside')
    expect(result.output).toContain('inside refused CassetteMismatchError')
    expect(result.output).toContain('1 regression(s)')
    expect(result.code).toBe(1)
    expect(liveRequests).toBe(before)
  })

  test('--allow-host localhost lets loopback through, and only then', async () => {
    const before = liveRequests
    const result = await gate('before', ['--allow-host', 'localhost'])
    expect(result.output).toContain('before answered {"live":true}')
    expect(result.code).toBe(0)
    expect(liveRequests).toBe(before + 1)
  })
})
