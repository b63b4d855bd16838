#!/usr/bin/env node
/**
 * The `retrace-fake-provider` command (`retrace-fake-provider --help` for its options):
 *   node fake-provider/src/cli.ts --port 4010 [--host 127.0.0.1] [--gzip] [--event-delay-ms 50] [--no-auth]
 * It prints the base URLs and stops on SIGINT / SIGTERM. A bad argument is one line on
 * stderr and exit 2; a server that cannot start (port taken, unknown host), exit 1.
 */

import { RetraceConfigError } from '@retrace/cassettes'

import { FAKE_PROVIDER_USAGE, parseFakeProviderArguments, type FakeProviderCommand } from './command-line.ts'
import { startFakeProvider } from './server.ts'
import type { FakeProviderOptions } from './types.ts'

const NAME = 'retrace-fake-provider'

function fail(line: string, exitCode: number): never {
  process.stderr.write(`${NAME}: ${line}\n`)
  process.exit(exitCode)
}

let command: FakeProviderCommand
try {
  command = parseFakeProviderArguments(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof RetraceConfigError)) throw error
  fail(`${error.message} See ${NAME} --help.`, 2)
}

if (command.help) {
  process.stdout.write(FAKE_PROVIDER_USAGE)
} else {
  const provider = await startFakeProvider(command.options).catch((error: unknown) => fail(startFailure(error, command.options), 1))
  // Before the URLs are printed: whoever reads them may signal at once.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void provider.stop().then(() => process.exit(0))
    })
  }
  console.log(`Fake LLM provider listening on ${provider.url}`)
  console.log(`  OpenAI     baseURL: ${provider.openaiBaseURL}`)
  console.log(`  Anthropic  baseURL: ${provider.anthropicBaseURL}`)
  console.log(`  Gemini     baseUrl: ${provider.geminiBaseURL}`)
}

/** One line saying why the server did not start, and what to do. */
function startFailure(error: unknown, { port, host }: FakeProviderOptions): string {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use: pick another with --port, or --port 0 for a free one.`
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot listen on host ${host} (${String(code)}): use an address of this machine, such as 127.0.0.1.`
  if (code === 'EACCES') return `not allowed to listen on port ${port}: pick a port above 1023.`
  return `could not start: ${error instanceof Error ? error.message : String(error)}`
}
