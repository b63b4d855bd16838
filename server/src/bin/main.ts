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

/**
 * Runs `retrace-server` (and `retrace server`): parses flags and environment, starts the
 * server, prints the URL (and, on the very first start, the project's API key, once), and
 * resolves with the exit code when SIGTERM or SIGINT has stopped it gracefully.
 * 0 stopped cleanly · 1 could not start · 2 bad configuration.
 *
 * @example
 * process.exitCode = await runServerCommand(process.argv.slice(2))
 */
export async function runServerCommand(argv: readonly string[], options: { command?: string; io?: CommandIo; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
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
  let server
  try {
    server = await startServer(parsed.config)
  } catch (error) {
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
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
      io.err(`${command}: ${signal}: stopping (acknowledging batches in flight)…\n`)
      server.close().then(
        () => resolve(0),
        (error: unknown) => {
          io.err(`${command}: error while stopping: ${oneLine(error instanceof Error ? error.message : String(error))}\n`)
          resolve(1)
        },
      )
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
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
