import { RetraceConfigError, RetraceError } from '@retrace/cassettes'
import { parseServerCommand, serverHelp } from '../config/server-config.ts'
import { storeLocation } from '../store/open-store.ts'
import { startServer } from '../server.ts'
import { VERSION } from '../version.ts'

/** Where the command writes (stdout for the banner, stderr for errors), for tests. */
export interface CommandIo {
  out(text: string): void
  err(text: string): void
}

const processIo: CommandIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) }

/** Where the command hears SIGTERM and SIGINT: `process`, or a stand-in emitter in tests. */
export interface StopSignals {
  on(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown
  off(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown
}

/**
 * Runs `retrace-server` (and `retrace server`): parses flags and environment, starts the
 * server, prints the URL (and, on the very first start, the project's API key, once), and
 * resolves with the exit code when SIGTERM or SIGINT has stopped it gracefully. It listens for
 * them before it starts the server: one that arrives during start-up stops the server as soon
 * as it is up and its banner printed. `options.signals` replaces `process` as their source.
 * 0 stopped cleanly · 1 could not start · 2 bad configuration.
 *
 * @example
 * // The bin: process.exitCode = await runServerCommand(process.argv.slice(2))
 * let out = ''
 * await runServerCommand(['--help'], { io: { out: (text) => void (out += text), err: () => {} }, env: {} }) // → 0
 * out.includes('--port') // → true
 * await runServerCommand(['--port', 'eighty'], { io: { out: () => {}, err: () => {} }, env: {} }) // → 2
 */
export async function runServerCommand(argv: readonly string[], options: { command?: string; io?: CommandIo; env?: NodeJS.ProcessEnv; signals?: StopSignals } = {}): Promise<number> {
  const io = options.io ?? processIo
  const command = options.command ?? 'retrace-server'
  let parsed
  try {
    parsed = parseServerCommand(argv, options.env ?? process.env)
    if (parsed.action === 'run') storeLocation(parsed.config.databaseUrl)
  } catch (error) {
    if (error instanceof RetraceConfigError) {
      io.err(`${command}: ${oneLine(error.message)}\n`)
      return 2
    }
    throw error
  }
  if (parsed.action === 'help') {
    io.out(serverHelp(command))
    return 0
  }
  if (parsed.action === 'version') {
    io.out(`${VERSION}\n`)
    return 0
  }
  // Listening before anything else: a supervisor (or a test) that reads the banner and stops the
  // server at once, or a Ctrl-C while it starts, must meet a handler, not the default exit by
  // signal. A signal during start-up takes effect once the server is up and the banner (with a
  // first start's one-time key) is printed.
  const stop = listenForStop(options.signals ?? process)
  let server
  try {
    server = await startServer(parsed.config)
  } catch (error) {
    stop.dispose()
    const message = error instanceof RetraceError ? error.message : describeStartError(error, parsed.config.host, parsed.config.port)
    io.err(`${command}: could not start: ${oneLine(message)}\n`)
    return 1
  }
  const location = storeLocation(parsed.config.databaseUrl)
  // One write: a reader of the output sees the URL and the key together.
  const banner = [`Retrace server listening on ${server.url}`, `Store: ${location.engine === 'sqlite' ? `SQLite ${location.file}` : 'PostgreSQL'}`, `Dashboard: ${server.url}/ (sign in with an API key)`]
  if (server.firstStart) {
    banner.push(
      `Created project ${server.firstStart.projectId}. Its API key, shown only this once (only a hash is stored):`,
      '',
      `  ${server.firstStart.apiKey}`,
      '',
      `Point the SDK at it: RETRACE_BASE_URL=${server.url} RETRACE_API_KEY=${server.firstStart.apiKey}`,
    )
  }
  io.out(`${banner.join('\n')}\n`)
  const signal = await stop.signal
  io.err(`${command}: ${signal}: stopping (acknowledging batches in flight)…\n`)
  try {
    await server.close()
    return 0
  } catch (error) {
    io.err(`${command}: error while stopping: ${oneLine(error instanceof Error ? error.message : String(error))}\n`)
    return 1
  }
}

// The first SIGTERM or SIGINT; its handlers go as it arrives, so a second one gets the default
// (the process ends at once), even while the server is still starting.
function listenForStop(signals: StopSignals): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let resolveSignal: (signal: NodeJS.Signals) => void = () => {}
  const signal = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve))
  const dispose = () => {
    signals.off('SIGTERM', heard)
    signals.off('SIGINT', heard)
  }
  const heard = (received: NodeJS.Signals) => {
    dispose()
    resolveSignal(received)
  }
  signals.on('SIGTERM', heard)
  signals.on('SIGINT', heard)
  return { signal, dispose }
}

function oneLine(message: string): string {
  return message.replace(/\s*\n+\s*/g, ' ').trim()
}

function describeStartError(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use: stop the other process or pass --port (0 picks a free one)`
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${host}: not an address of this machine; pass --host 127.0.0.1 or 0.0.0.0`
  if (code === 'EACCES') return `not allowed to listen on port ${port}: pass --port 8787 or another port above 1023`
  return error instanceof Error ? error.message : String(error)
}
