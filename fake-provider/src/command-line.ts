/** The `retrace-fake-provider` command line: its usage and argument parsing, free of I/O. */

import { parseArgs } from 'node:util'

import { RetraceConfigError } from '@retrace/cassettes'

import type { FakeProviderOptions } from './types.ts'

/** What `retrace-fake-provider --help` prints. */
export const FAKE_PROVIDER_USAGE = `Usage: retrace-fake-provider [options]

Starts a local server that speaks the OpenAI (Chat Completions, Responses), Anthropic and
Gemini wire protocols, JSON and streamed, with deterministic replies: for demos and tests
that need no API key and no internet. It prints the base URLs and runs until Ctrl-C.

Options:
  --port <number>        port to listen on (default 0: a free port)
  --host <address>       interface to bind (default 127.0.0.1)
  --gzip                 gzip bodies when the client accepts it
  --event-delay-ms <ms>  pause between streamed events (default 0)
  --no-auth              accept requests without the providers' credential headers
  -h, --help             show this help

Example:
  retrace-fake-provider --port 4010
  new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:4010/v1' })

Exit codes: 0 stopped by SIGINT/SIGTERM or --help · 1 could not start · 2 usage error
`

/** A parsed command line: print the usage, or start the provider with these options. */
export type FakeProviderCommand = { readonly help: true } | { readonly help: false; readonly options: FakeProviderOptions }

const OPTIONS = {
  port: { type: 'string', default: '0' },
  host: { type: 'string', default: '127.0.0.1' },
  gzip: { type: 'boolean', default: false },
  'event-delay-ms': { type: 'string', default: '0' },
  'no-auth': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/**
 * Parses the arguments of `retrace-fake-provider` (without `node` and the script). A bad
 * option or value throws `RetraceConfigError` naming it, for a one-line message and exit 2.
 *
 * @example
 * parseFakeProviderArguments(['--port', '4010']) // { help: false, options: { port: 4010, host: '127.0.0.1', … } }
 * parseFakeProviderArguments(['--port', 'abc'])  // throws RetraceConfigError: Invalid --port: …
 */
export function parseFakeProviderArguments(argv: readonly string[]): FakeProviderCommand {
  const { values } = parseStrictly(argv)
  if (values.help) return { help: true }
  return {
    help: false,
    options: {
      port: wholeNumber('--port', values.port, 65_535, 'a whole number from 0 to 65535'),
      host: values.host,
      gzip: values.gzip,
      eventDelayMs: wholeNumber('--event-delay-ms', values['event-delay-ms'], Number.MAX_SAFE_INTEGER, 'a whole number of milliseconds'),
      requireAuth: !values['no-auth'],
    },
  }
}

function parseStrictly(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false })
  } catch (error) {
    throw usageErrorFrom(error)
  }
}

// node:util's parse errors carry a code and an option name only inside their message.
function usageErrorFrom(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : ''
  const option = /'(-{1,2}[^' ]+)/u.exec(message)?.[1] ?? 'option'
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new RetraceConfigError(option, 'unknown option.')
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && message.includes('does not take an argument')) return new RetraceConfigError(option, 'it takes no value.')
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && message.includes('ambiguous')) return new RetraceConfigError(option, `a value starting with "-" goes after "=", as in ${option}=-1.`)
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new RetraceConfigError(option, `it needs a value, as in ${option === '--port' ? '--port 4010' : `${option} <value>`}.`)
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const positional = /'([^']*)'/u.exec(message)?.[1] ?? ''
    return new RetraceConfigError(`argument "${positional}"`, 'the command takes options only.')
  }
  return error
}

function wholeNumber(field: string, text: string, max: number, expected: string): number {
  const value = /^\d+$/u.test(text) ? Number(text) : Number.NaN
  if (!(value <= max)) throw new RetraceConfigError(field, `expected ${expected}, got ${JSON.stringify(text)}.`)
  return value
}
