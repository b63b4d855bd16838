import { pino, type DestinationStream, type Logger } from 'pino'
import { redactSecretStrings } from '@retrace/cassettes'

export type { Logger } from 'pino'

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: string
  /** Where lines go (default: stderr, so stdout keeps only the start-up banner). */
  destination?: DestinationStream | undefined
}

/**
 * A pino logger that can never print a key or a secret-shaped string: every string in a log
 * line (message and fields, however deep) passes through the shared secret rules, and the
 * `x-retrace-key` header is never logged by the server in the first place.
 *
 * @example
 * const log = createLogger({ level: 'warn' })
 * log.info({ batchId: 'b_1', accepted: 3 }, 'batch stored') // below the level: not written
 * log.level // → 'warn'
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'retrace-server' },
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      // pino serializes `err` after the formatter: errors are already reduced by scrub, keep them.
      serializers: { err: (value: unknown) => value },
      hooks: {
        logMethod(args, method) {
          // The message (and its printf arguments) are strings the formatter never sees.
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactSecretStrings(arg) : arg)) as Parameters<typeof method>)
        },
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  )
}

/** Redacts secret-shaped substrings of every string in a log object, keys included. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecretStrings(value)
  if (depth > 8 || value === null || typeof value !== 'object') return value
  if (value instanceof Error) return scrubError(value)
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) out[redactSecretStrings(key)] = scrub(item, depth + 1)
  return out
}

/** An error's code may be logged only when it is an identifier (a SQLSTATE, ECONNREFUSED). */
const SAFE_CODE = /^[A-Za-z0-9_.-]{1,40}$/

/**
 * What a log line keeps of an error: its class, message, code and stack. A driver's other
 * fields are dropped (PostgreSQL's `detail` and `where` quote the row that failed, which can
 * hold a user's data), and the text is redacted.
 */
function scrubError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code
  return {
    type: error.constructor?.name && error.constructor.name !== 'Object' ? error.constructor.name : error.name,
    message: redactSecretStrings(error.message),
    ...(typeof code === 'string' && SAFE_CODE.test(code) ? { code } : {}),
    stack: error.stack === undefined ? undefined : redactSecretStrings(error.stack),
  }
}
