import { parseArgs } from 'node:util'
import { z } from 'zod'
import { RetraceConfigError } from '@retrace/cassettes'

/** The default address, shared with the SDK's default `baseUrl` (`http://127.0.0.1:8787`). */
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 8787
/** The embedded store when no database URL is given. */
export const DEFAULT_DATABASE_FILE = './.retrace/retrace.db'
/** PROTOCOL.md §4: servers accept frames and bodies of at least 16 MiB. */
export const MIN_FRAME_BYTES = 16 * 1024 * 1024

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Everything the server can be told, resolved (flags > `RETRACE_*` environment > defaults). */
export const ServerConfigSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  /** `postgres://…` for PostgreSQL; `sqlite:<file>` or a file path for the embedded store. */
  databaseUrl: z.string().min(1),
  logLevel: z.enum(LOG_LEVELS),
  /** Requests (HTTP calls, WebSocket batches and upgrades) per second per API key, in each server process, for keys without a `rateLimit` of their own; 0 turns the limit off. */
  rateLimit: z.number().min(0),
  /** Largest WebSocket frame or `POST /v1/events` body accepted, in bytes. */
  maxFrameBytes: z.number().int().min(MIN_FRAME_BYTES),
  /** How long a shutdown waits for in-flight batches before it cuts connections, in ms. */
  shutdownTimeoutMs: z.number().int().min(0),
  /** How long a fork waits for a process that registered its function before it ends as `no_worker`, in ms. */
  forkWorkerTimeoutMs: z.number().int().min(0),
  /** How long a fork sent to a worker may run before it fails, in ms. */
  forkRunTimeoutMs: z.number().int().min(1),
  /** Public share links (the dashboard's Share): `off` refuses new ones and closes every existing one. */
  sharing: z.enum(['on', 'off']),
})

export type ServerConfig = z.infer<typeof ServerConfigSchema>

interface OptionSpec {
  key: keyof ServerConfig
  flag: string
  env: readonly string[]
  kind: 'string' | 'number'
  value: string
  description: string
  default: string | number
  fix: string
}

/** Every option: flag, environment variables, default and what a bad value should become. */
export const SERVER_OPTIONS: readonly OptionSpec[] = [
  { key: 'host', flag: 'host', env: ['RETRACE_HOST'], kind: 'string', value: '<address>', description: 'address to listen on', default: DEFAULT_HOST, fix: 'pass an address such as 127.0.0.1 or 0.0.0.0' },
  { key: 'port', flag: 'port', env: ['RETRACE_PORT'], kind: 'number', value: '<n>', description: 'port to listen on; 0 picks a free one (the printed URL says which)', default: DEFAULT_PORT, fix: 'pass a whole number from 0 to 65535' },
  {
    key: 'databaseUrl',
    flag: 'database-url',
    env: ['RETRACE_DATABASE_URL', 'DATABASE_URL'],
    kind: 'string',
    value: '<url>',
    description: 'postgres://user:pass@host/db for PostgreSQL; sqlite:<file> (or a file path) for the embedded store',
    default: DEFAULT_DATABASE_FILE,
    fix: 'pass postgres://user:pass@host:5432/db or sqlite:./.retrace/retrace.db',
  },
  { key: 'logLevel', flag: 'log-level', env: ['RETRACE_LOG_LEVEL'], kind: 'string', value: '<level>', description: `log level: ${LOG_LEVELS.join(', ')}`, default: 'info', fix: `pass one of ${LOG_LEVELS.join(', ')}` },
  { key: 'rateLimit', flag: 'rate-limit', env: ['RETRACE_RATE_LIMIT'], kind: 'number', value: '<n>', description: 'requests per second per API key in this process (HTTP calls, WebSocket upgrades and batches), for keys without a rateLimit of their own; 0 turns it off', default: 1000, fix: 'pass a number ≥ 0, e.g. 1000' },
  {
    key: 'maxFrameBytes',
    flag: 'max-frame-bytes',
    env: ['RETRACE_MAX_FRAME_BYTES'],
    kind: 'number',
    value: '<bytes>',
    description: 'largest WebSocket frame or /v1/events body; at least 16 MiB (the protocol minimum)',
    default: MIN_FRAME_BYTES,
    fix: `pass a whole number ≥ ${MIN_FRAME_BYTES}`,
  },
  {
    key: 'sharing',
    flag: 'sharing',
    env: ['RETRACE_SHARING'],
    kind: 'string',
    value: 'on|off',
    description: 'public read-only share links to traces; off refuses new ones and closes every existing one',
    default: 'on',
    fix: 'pass on or off',
  },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout', env: ['RETRACE_SHUTDOWN_TIMEOUT_MS'], kind: 'number', value: '<ms>', description: 'on SIGTERM/SIGINT, how long to wait for in-flight batches', default: 10_000, fix: 'pass a whole number of milliseconds ≥ 0' },
  {
    key: 'forkWorkerTimeoutMs',
    flag: 'fork-worker-timeout',
    env: ['RETRACE_FORK_WORKER_TIMEOUT_MS'],
    kind: 'number',
    value: '<ms>',
    description: 'how long a fork waits for a process that registered its function (retrace worker) before it ends as no_worker',
    default: 5_000,
    fix: 'pass a whole number of milliseconds ≥ 0',
  },
  { key: 'forkRunTimeoutMs', flag: 'fork-run-timeout', env: ['RETRACE_FORK_RUN_TIMEOUT_MS'], kind: 'number', value: '<ms>', description: 'how long a fork sent to a worker may run before it fails', default: 600_000, fix: 'pass a whole number of milliseconds ≥ 1' },
]

/** What the command line asked for: run with a configuration, or print help or the version. */
export type ServerCommand = { action: 'run'; config: ServerConfig } | { action: 'help' } | { action: 'version' }

/**
 * Reads the server's configuration from command-line flags and `RETRACE_*` environment
 * variables (flags win). A bad flag or value is a `RetraceConfigError` naming the flag (or
 * variable) and the fix, in one line.
 *
 * @example
 * // Then: if (command.action === 'run') await startServer(command.config)
 * const command = parseServerCommand(['--port', '0'], {})
 * command.action === 'run' && command.config.port // → 0
 * parseServerCommand(['--help'], {}) // → { action: 'help' }
 */
export function parseServerCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServerCommand {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } }
  for (const spec of SERVER_OPTIONS) options[spec.flag] = { type: 'string' }
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }))
  } catch (error) {
    throw argumentError(error)
  }
  if (values.help) return { action: 'help' }
  if (values.version) return { action: 'version' }
  const config: Record<string, unknown> = {}
  for (const spec of SERVER_OPTIONS) {
    const fromFlag = values[spec.flag]
    const variable = spec.env.find((name) => env[name]?.trim())
    const raw = typeof fromFlag === 'string' ? fromFlag : variable ? env[variable]!.trim() : undefined
    const source = typeof fromFlag === 'string' ? `--${spec.flag}` : (variable ?? `--${spec.flag}`)
    if (raw === undefined) {
      config[spec.key] = spec.default
      continue
    }
    const value = spec.kind === 'number' ? Number(raw) : raw
    if (spec.kind === 'number' && (raw === '' || !Number.isFinite(value))) throw new RetraceConfigError(source, `"${raw}" is not a number.`, `Fix: ${spec.fix}.`)
    const field = ServerConfigSchema.shape[spec.key].safeParse(value)
    if (!field.success) throw new RetraceConfigError(source, `"${raw}" is not accepted (${field.error.issues[0]?.message ?? 'invalid'}).`, `Fix: ${spec.fix}.`)
    config[spec.key] = field.data
  }
  return { action: 'run', config: ServerConfigSchema.parse(config) }
}

/**
 * Fills in defaults for a programmatic start and validates what is given.
 *
 * @example
 * const config = resolveServerConfig({ port: 0, databaseUrl: 'sqlite:/tmp/retrace.db' })
 * ;[config.host, config.port, config.databaseUrl] // → [DEFAULT_HOST, 0, 'sqlite:/tmp/retrace.db']
 */
export function resolveServerConfig(given: Partial<ServerConfig> = {}): ServerConfig {
  const defaults = Object.fromEntries(SERVER_OPTIONS.map((spec) => [spec.key, spec.default]))
  const result = ServerConfigSchema.safeParse({ ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) })
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const key = String(issue.path[0] ?? '')
  const spec = SERVER_OPTIONS.find((option) => option.key === key)
  throw new RetraceConfigError(key || 'options', issue.message, spec ? `Fix: ${spec.fix}.` : `startServer() takes: ${SERVER_OPTIONS.map((option) => option.key).join(', ')}.`)
}

/**
 * The `--help` text: every option with its environment variables and default.
 *
 * @example
 * // Printed by `retrace-server --help`:
 * serverHelp('retrace-server').includes('--port') // → true
 */
export function serverHelp(command: string): string {
  const rows = SERVER_OPTIONS.map((spec) => [`--${spec.flag} ${spec.value}`, `${spec.description} (env ${spec.env.join(' or ')}; default ${spec.default})`])
  rows.push(['-h, --help', 'print this help'], ['-v, --version', 'print the version'])
  const width = Math.max(...rows.map(([flag]) => flag!.length))
  return [
    `Usage: ${command} [options]`,
    '',
    'Starts the Retrace API server: SDK ingest on /v1, the read API on /api/v1 (x-retrace-key),',
    'an embedded SQLite store by default or PostgreSQL with --database-url. On first start it',
    'creates a project and prints its API key once.',
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag!.padEnd(width)}  ${text}`),
    '',
    'Exit codes: 0 stopped cleanly · 1 could not start (port taken, database unreachable or newer) · 2 bad configuration.',
    '',
  ].join('\n')
}

/** A `parseArgs` failure as a configuration error naming the flag. */
function argumentError(error: unknown): RetraceConfigError {
  const message = error instanceof Error ? error.message : String(error)
  const flag = /'(-{1,2}[^'\s]+)/.exec(message)?.[1] ?? 'arguments'
  if (/Unknown option/.test(message)) return new RetraceConfigError(flag, 'unknown option.', `Fix: see --help for the options (${SERVER_OPTIONS.map((spec) => `--${spec.flag}`).join(', ')}).`)
  if (/argument missing/.test(message)) return new RetraceConfigError(flag, 'needs a value.', `Fix: pass it as ${flag} <value>.`)
  if (/positional/i.test(message)) return new RetraceConfigError('arguments', 'unexpected argument.', 'Fix: retrace-server takes only --options; see --help.')
  return new RetraceConfigError(flag, message.split('\n')[0]!, 'Fix: see --help.')
}
