import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'

const entry = join(import.meta.dirname, '..', 'src', 'bin', 'retrace-server.ts')

/** A `retrace-server` child process (run from the sources, as the built bin runs the build). */
export interface ServerProcess {
  child: ChildProcess
  /** Everything printed so far, stdout then stderr interleaved. */
  output(): string
  stdout(): string
  /** Resolves once the banner's URL is printed. */
  url(): Promise<string>
  /** The API key printed on first start. */
  apiKey(): string | undefined
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Starts `retrace-server` with `args` in `cwd` (env cleared of RETRACE_* and DATABASE_URL).
 *
 * @example
 * const server = spawnServer(['--port', '0'], dir)
 * const url = await server.url()
 */
export function spawnServer(args: string[], cwd: string, env: Record<string, string> = {}): ServerProcess {
  const base: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('RETRACE_') && name !== 'DATABASE_URL' && !name.startsWith('VITEST') && name !== 'NODE_OPTIONS') base[name] = value
  const child = spawn(process.execPath, ['--conditions=@retrace/source', entry, ...args], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let all = ''
  let out = ''
  const waiters = new Set<() => void>()
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    all += chunk.toString()
    for (const waiter of [...waiters]) waiter()
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    all += chunk.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return {
    child,
    output: () => all,
    stdout: () => out,
    apiKey: () => /rt_live_[A-Za-z0-9]+/.exec(out)?.[0],
    exited,
    url: () =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = /listening on (http:\/\/\S+)/.exec(out)
          if (!match || !/^Store: /m.test(out) || (out.includes('Created project') && !out.includes('Point the SDK'))) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(match[1]!)
        }
        const timer = setTimeout(() => reject(new Error(`retrace-server did not print its URL within 20 s:\n${all}`)), 20_000)
        waiters.add(check)
        void exited.then(() => reject(new Error(`retrace-server exited before listening:\n${all}`)))
        check()
      }),
  }
}

/**
 * A port free right now on 127.0.0.1 (for a server restarted on the same port).
 *
 * @example
 * const port = String(await freePort())
 */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}
