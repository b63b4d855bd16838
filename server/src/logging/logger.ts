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
  if (value instanceof Error) return { type: value.name, message: redactSecretStrings(value.message), stack: value.stack === undefined ? undefined : redactSecretStrings(value.stack) }
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) out[redactSecretStrings(key)] = scrub(item, depth + 1)
  return out
}
