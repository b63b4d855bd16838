import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import { startRetraceTestServer, type RetraceTestServer } from '../../../../test-support/retrace-test-server.ts'
import { createTransport, type Transport } from './transport.ts'

// Real processes, because what is under test is how a process ends: SIGKILL before a flush,
// SIGTERM, the event loop running dry, process.exit(). Each child imports the transport from
// source (`--conditions=@retrace/source`) and runs a few lines given by the test.

const TRANSPORT_MODULE = pathToFileURL(join(import.meta.dirname, 'index.ts')).href

const servers: RetraceTestServer[] = []
const transports: Transport[] = []
const children: ChildProcess[] = []
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await Promise.all(transports.splice(0).map((transport) => transport.close(100)))
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

interface Child {
  process: ChildProcess
  /** Resolves with the first line the child printed that matches (a string matches a whole line). */
  printed(pattern: string | RegExp): Promise<string>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string; ms: number }>
}

/**
 * Runs a script in a fresh Node process. The script body has `transport` (created for
 * `baseUrl` with test timings), `installExitFlush`, `span(n)` and `print(line)` in scope.
 */
function runChild(body: string, env: { baseUrl: string; journalDir: string; transportOptions?: string }): Child {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-child-'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }')
  writeFileSync(
    join(dir, 'script.ts'),
    `
const { createTransport, installExitFlush } = await import(${JSON.stringify(TRANSPORT_MODULE)})
const transport = createTransport({
  baseUrl: process.env.BASE_URL!,
  apiKey: 'rt_test',
  journalDir: process.env.JOURNAL_DIR!,
  batchIntervalMs: 2,
  backoff: { initialDelayMs: 20, maxDelayMs: 100 },
  handshakeTimeoutMs: 500,
  onError: () => {},
  ${env.transportOptions ?? ''}
})
const at = new Date(0).toISOString()
const span = (n: number) => ({ type: 'span', id: 'child.s' + n, span: { id: 'child.s' + n, traceId: 'child', kind: 'span', name: 'step', startedAt: at, endedAt: at, durationMs: 0, status: 'ok' } })
const print = (line: string) => process.stdout.write(line + '\\n')
${body}
`,
  )
  const started = Date.now()
  const child = spawn(process.execPath, ['--conditions=@retrace/source', join(dir, 'script.ts')], {
    env: { ...process.env, BASE_URL: env.baseUrl, JOURNAL_DIR: env.journalDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  const find = (pattern: string | RegExp) => output.split('\n').find((line) => (typeof pattern === 'string' ? line === pattern : pattern.test(line)))
  const waiting = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    output += chunk.toString()
    for (const check of waiting) check()
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  return {
    process: child,
    printed: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = find(pattern)
          if (line === undefined) return
          waiting.delete(check)
          resolve(line)
        }
        waiting.add(check)
        child.once('exit', () => (find(pattern) === undefined ? reject(new Error(`child exited without printing ${String(pattern)}:\n${output}`)) : undefined))
        check()
      }),
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, output, ms: Date.now() - started }))),
  }
}

async function stoppedServer(): Promise<RetraceTestServer> {
  const server = await startRetraceTestServer()
  servers.push(server)
  await server.stop()
  return server
}

async function runningServer(): Promise<RetraceTestServer> {
  const server = await startRetraceTestServer()
  servers.push(server)
  return server
}

function recoverWith(server: RetraceTestServer, journalDir: string): Transport {
  const transport = createTransport({ baseUrl: server.url, apiKey: 'rt_test', journalDir, batchIntervalMs: 2, backoff: { initialDelayMs: 20, maxDelayMs: 100 }, onError: () => {} })
  transports.push(transport)
  return transport
}

function childIds(count: number): string[] {
  return Array.from({ length: count }, (_, n) => `child.s${n}`).sort()
}

describe('a process that ends before its events are delivered', () => {
  test('killed with SIGKILL while the server is down: the next transport delivers its journal', async () => {
    const server = await stoppedServer()
    const journalDir = mkdtempSync(join(tmpdir(), 'retrace-journal-'))
    const child = runChild(
      `
for (let n = 0; n < 500; n++) transport.send(span(n))
const poll = setInterval(() => { if (transport.stats.journaled === 500) { print('journaled'); clearInterval(poll) } }, 2)
setInterval(() => {}, 1_000) // stay alive until killed
`,
      { baseUrl: server.url, journalDir },
    )
    await child.printed('journaled')
    child.process.kill('SIGKILL')
    expect((await child.exited).signal).toBe('SIGKILL')

    await server.start()
    const transport = recoverWith(server, journalDir)
    expect(transport.stats.recovered).toBe(500)
    await server.waitForEvents(500)
    expect((await transport.flush(2_000)).complete).toBe(true)
    expect(server.events.map((event) => event.id).sort()).toEqual(childIds(500))
    expect(server.receivedIds).toHaveLength(500)
  })

  test('process.exit() with events still queued: the exit handler journals them synchronously', async () => {
    const server = await stoppedServer()
    const journalDir = mkdtempSync(join(tmpdir(), 'retrace-journal-'))
    const child = runChild(
      `
installExitFlush(transport)
for (let n = 0; n < 50; n++) transport.send(span(n))
process.exit(3)
`,
      { baseUrl: server.url, journalDir, transportOptions: 'batchIntervalMs: 60_000,' },
    )
    expect((await child.exited).code).toBe(3)
    await server.start()
    const transport = recoverWith(server, journalDir)
    await server.waitForEvents(50)
    expect(transport.stats.recovered).toBe(50)
    expect(server.events.map((event) => event.id).sort()).toEqual(childIds(50))
  })

  test('an unreachable server never keeps the process alive: the exit stops waiting once the server is found down, events journaled', async () => {
    const server = await stoppedServer()
    const journalDir = mkdtempSync(join(tmpdir(), 'retrace-journal-'))
    const child = runChild(
      `
installExitFlush(transport, { timeoutMs: 30_000 })
for (let n = 0; n < 20; n++) transport.send(span(n))
print('done')
`,
      { baseUrl: server.url, journalDir },
    )
    const { code, ms, output } = await child.exited
    expect(code, output).toBe(0)
    // Far below the 30 s budget: the flush gave up when the connection was refused.
    expect(ms).toBeLessThan(10_000)
    await server.start()
    recoverWith(server, journalDir)
    await server.waitForEvents(20)
  })
})

describe('exit flush', () => {
  test('the event loop runs dry: beforeExit flushes, then the process ends by itself', async () => {
    const server = await runningServer()
    const journalDir = mkdtempSync(join(tmpdir(), 'retrace-journal-'))
    const child = runChild(
      `
installExitFlush(transport, { timeoutMs: 2_000 })
for (let n = 0; n < 30; n++) transport.send(span(n))
`,
      { baseUrl: server.url, journalDir, transportOptions: 'batchIntervalMs: 60_000,' },
    )
    const { code, output } = await child.exited
    expect(code, output).toBe(0)
    expect(server.events.map((event) => event.id).sort()).toEqual(childIds(30))
    const [destination] = readdirSync(journalDir)
    expect(readdirSync(join(journalDir, destination!))).toEqual([])
  })

  test('SIGTERM with no other listener: beforeFlush runs, events are flushed, exit code 143', async () => {
    const server = await runningServer()
    const child = runChild(
      `
installExitFlush(transport, {
  beforeFlush: (reason) => {
    if (reason === 'SIGTERM') transport.send({ type: 'trace.end', id: 'child:end', trace: { id: 'child', endedAt: at, status: 'failed', terminatedEarly: true, totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 0 } } })
  },
})
for (let n = 0; n < 40; n++) transport.send(span(n))
const ready = setInterval(() => { if (transport.state === 'websocket') { print('ready'); clearInterval(ready) } }, 2)
setInterval(() => {}, 1_000)
`,
      { baseUrl: server.url, journalDir: mkdtempSync(join(tmpdir(), 'retrace-journal-')), transportOptions: 'batchIntervalMs: 60_000,' },
    )
    await child.printed('ready')
    expect(server.events).toEqual([])
    child.process.kill('SIGTERM')
    const { code, output } = await child.exited
    expect(code, output).toBe(143)
    expect(server.events).toHaveLength(41)
    expect(server.traces().get('child')?.end).toMatchObject({ terminatedEarly: true })
  })

  test('SIGINT with another listener: flushes but leaves the exit to that listener', async () => {
    const server = await runningServer()
    const child = runChild(
      `
process.on('SIGINT', () => setTimeout(() => process.exit(7), 400))
installExitFlush(transport, { beforeFlush: (reason) => print('before ' + reason) })
for (let n = 0; n < 10; n++) transport.send(span(n))
const ready = setInterval(() => { if (transport.state === 'websocket') { print('ready'); clearInterval(ready) } }, 2)
setInterval(() => {}, 1_000)
`,
      { baseUrl: server.url, journalDir: mkdtempSync(join(tmpdir(), 'retrace-journal-')), transportOptions: 'batchIntervalMs: 60_000,' },
    )
    await child.printed('ready')
    child.process.kill('SIGINT')
    const { code, output } = await child.exited
    expect(code, output).toBe(7)
    expect(server.events).toHaveLength(10)
    // Its runs end when it exits, not when the signal came (it may finish them first).
    expect(output).not.toContain('before SIGINT')
    expect(output).toContain('before exit')
  })
})

describe('journals shared by live processes', () => {
  test('two processes starting at once over one orphaned journal: exactly one of them takes it', async () => {
    const server = await stoppedServer()
    const journalDir = mkdtempSync(join(tmpdir(), 'retrace-journal-'))
    const writer = runChild(
      `
for (let n = 0; n < 100; n++) transport.send(span(n))
const poll = setInterval(() => { if (transport.stats.journaled === 100) { print('journaled'); clearInterval(poll) } }, 2)
setInterval(() => {}, 1_000)
`,
      { baseUrl: server.url, journalDir },
    )
    await writer.printed('journaled')
    writer.process.kill('SIGKILL')
    await writer.exited
    const racers = Array.from({ length: 3 }, () =>
      runChild(
        `
print('recovered=' + transport.stats.recovered)
setInterval(() => {}, 1_000)
`,
        { baseUrl: server.url, journalDir },
      ),
    )
    const lines = await Promise.all(racers.map((racer) => racer.printed(/^recovered=/)))
    expect(lines.sort()).toEqual(['recovered=0', 'recovered=0', 'recovered=100'])
    for (const racer of racers) racer.process.kill('SIGKILL')
    await Promise.all(racers.map((racer) => racer.exited))
    // The winner died holding it: the journal is an orphan again, and the next transport delivers it once.
    await server.start()
    const transport = recoverWith(server, journalDir)
    expect(transport.stats.recovered).toBe(100)
    await server.waitForEvents(100)
    expect(server.receivedIds).toHaveLength(100)
  })
})
