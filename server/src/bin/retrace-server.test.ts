import { EventEmitter } from 'node:events'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { spawnServer } from '../../test/server-process.ts'
import { DEFAULT_BASE_URL } from '@retrace/core/internal'
import { DEFAULT_HOST, DEFAULT_PORT, parseServerCommand, SERVER_OPTIONS, serverHelp } from '../config/server-config.ts'
import { createLogger } from '../logging/logger.ts'
import { runServerCommand } from './main.ts'

const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  let out = ''
  let err = ''
  const code = await runServerCommand(argv, { env, io: { out: (text) => (out += text), err: (text) => (err += text) } })
  return { code, out, err }
}

describe('configuration', () => {
  test('--help lists every option with its default and environment variable', async () => {
    const { code, out } = await run(['--help'])
    expect(code).toBe(0)
    for (const option of SERVER_OPTIONS) {
      const line = out.split('\n').find((l) => l.includes(`--${option.flag} `))
      expect(line, option.flag).toContain(`default ${option.default}`)
      for (const variable of option.env) expect(line).toContain(variable)
    }
    expect(out).toContain('default 8787')
    expect(out).toContain('default ./.retrace/retrace.db')
  })

  test.each([
    [['--port', 'abc'], '--port'],
    [['--port', '70000'], '--port'],
    [['--log-level', 'loud'], '--log-level'],
    [['--rate-limit', '-1'], '--rate-limit'],
    [['--max-frame-bytes', '1024'], '--max-frame-bytes'],
    [['--database-url', 'mysql://db/x'], '--database-url'],
    [['--prot', '1'], '--prot'],
    [['--port'], '--port'],
  ])('a bad value (%j) is one line naming the flag and the fix, exit 2', async (argv, flag) => {
    const { code, err, out } = await run(argv)
    expect(code).toBe(2)
    expect(out).toBe('')
    expect(err.trimEnd().split('\n')).toHaveLength(1)
    expect(err).toContain(flag)
    expect(err).toMatch(/Fix: /)
  })

  test('RETRACE_* variables configure it; flags win', () => {
    const env = { RETRACE_PORT: '9000', DATABASE_URL: 'postgres://u@db/x', RETRACE_LOG_LEVEL: 'warn' }
    expect(parseServerCommand([], env)).toMatchObject({ action: 'run', config: { port: 9000, databaseUrl: 'postgres://u@db/x', logLevel: 'warn', host: '127.0.0.1' } })
    expect(parseServerCommand(['--port', '0'], env)).toMatchObject({ config: { port: 0 } })
    expect(() => parseServerCommand([], { RETRACE_PORT: 'x' })).toThrow(/RETRACE_PORT/)
  })

  test('the SDK’s default baseUrl and the server’s default address agree (8787, not OTLP’s 4318)', () => {
    expect(DEFAULT_BASE_URL).toBe(`http://${DEFAULT_HOST}:${DEFAULT_PORT}`)
    expect(DEFAULT_PORT).toBe(8787)
  })

  test('the help text names the command it is given', () => {
    expect(serverHelp('retrace server')).toMatch(/^Usage: retrace server \[options\]/)
  })
})

describe('logs', () => {
  test('never print a key or a secret-shaped string, wherever it appears in a log line', () => {
    let text = ''
    const log = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _e, done) => ((text += chunk.toString()), done()) }) })
    const key = 'rt_live_' + 'A1b2C3d4'.repeat(4)
    const openai = 'sk-proj-' + 'x'.repeat(30)
    log.info({ nested: { header: key, list: [openai] }, [openai]: 1 }, `message with ${key}`)
    log.error({ err: new Error(`failed for ${openai}`) }, 'boom')
    expect(text).not.toContain(key)
    expect(text).not.toContain(openai)
    expect(text).toContain('[REDACTED:retrace-key]')
    expect(text).toContain('[REDACTED:openai-key]')
  })
})

// SIGTERM / SIGINT from a stand-in emitter: the command listens before it starts the server, so
// a signal at any point after it is called, even before the banner that tells a supervisor (or
// a test) the server is up, stops it cleanly with exit 0, and a first start's key is printed.
describe('stop signals', () => {
  const start = (signals: EventEmitter, onBanner?: () => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'retrace-server-signal-'))
    let out = ''
    let err = ''
    const io = { out: (text: string) => ((out += text), onBanner?.()), err: (text: string) => (err += text) }
    const code = runServerCommand(['--port', '0', '--database-url', `sqlite:${join(dir, 'retrace.db')}`], { env: {}, io, signals })
    return { code, out: () => out, err: () => err }
  }
  const settled = (code: Promise<number>) => Promise.race([code, new Promise<string>((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000))])

  test('a signal as the banner is printed', async () => {
    const signals = new EventEmitter()
    const run = start(signals, () => signals.emit('SIGTERM', 'SIGTERM'))
    expect(await settled(run.code), run.err()).toBe(0)
    expect(run.err()).toContain('SIGTERM: stopping')
  })

  test('a signal while the server is starting: the banner and the first key are still printed', async () => {
    const signals = new EventEmitter()
    const run = start(signals)
    signals.emit('SIGINT', 'SIGINT')
    expect(await settled(run.code), run.err()).toBe(0)
    expect(run.out()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+[\s\S]*rt_live_[A-Za-z0-9]{32}/)
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0)
  })
})

describe('the retrace-server command', () => {
  test('first start: creates the store and a project, prints its key once and the real port; SIGTERM stops it with exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrace-server-cmd-'))
    const first = spawnServer(['--port', '0'], dir)
    const url = await first.url()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(url).not.toMatch(/:0$/)
    const key = first.apiKey()!
    expect(key).toMatch(/^rt_live_[A-Za-z0-9]{32}$/)
    expect(existsSync(join(dir, '.retrace', 'retrace.db')), first.output()).toBe(true)
    const answer = await fetch(`${url}/api/v1/traces`, { headers: { 'x-retrace-key': key } })
    expect(answer.status, first.output()).toBe(200)
    first.child.kill('SIGTERM')
    expect(await first.exited, first.output()).toEqual({ code: 0, signal: null })
    // The key never reached the logs (stderr).
    expect(first.output().split(key).length - 1, first.output()).toBe(2)

    const second = spawnServer(['--port', '0'], dir)
    await second.url()
    expect(second.apiKey()).toBeUndefined()
    second.child.kill('SIGINT')
    expect((await second.exited).code, second.output()).toBe(0)
  })

  test('a port already taken is exit 1 with one line saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrace-server-cmd-'))
    const first = spawnServer(['--port', '0'], dir)
    const port = new URL(await first.url()).port
    const second = spawnServer(['--port', port, '--database-url', `sqlite:${join(dir, 'other.db')}`], dir)
    expect((await second.exited).code).toBe(1)
    expect(second.output()).toContain(`could not start: port ${port} on 127.0.0.1 is already in use`)
    first.child.kill('SIGTERM')
    await first.exited
  })
})
