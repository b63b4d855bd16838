import { CassetteFormatError, findSecrets, parseCassette, serializeCassette, writeCassetteFile } from '@retrace/cassettes'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { callServer, errorMessage, serverTarget } from './server-client.ts'

/** Options of `retrace pull`. */
export interface PullOptions {
  traceId: string
  /** The cassette file to write (default: print it to stdout). */
  out?: string | undefined
  baseUrl?: string | undefined
  apiKey?: string | undefined
  env?: NodeJS.ProcessEnv | undefined
}

/**
 * `retrace pull <trace-id>`: downloads a trace as a format-v1 cassette, validated and
 * secret-scanned, written atomically to `--out` (or printed), ready to replay offline under
 * `toMatchCassette()`. Exit codes: 0 · 2 no such trace, or it has no cassette · 4 a secret in
 * it · 5 usage · 6 the server unreachable or refusing the key.
 *
 * @example
 * process.exitCode = await pullCassette({ traceId: 'cs_3f1c…', out: '__cassettes__/weather.cassette.json' }, processTerminal())
 */
export async function pullCassette(options: PullOptions, terminal: Terminal): Promise<ExitCode> {
  const target = serverTarget(options, options.env)
  const answer = await callServer(target, `/api/v1/traces/${encodeURIComponent(options.traceId)}/cassette`)
  if (answer.status !== 200) {
    terminal.err(`retrace pull: ${errorMessage(answer.body) ?? `the server answered ${answer.status}`}\n`)
    return answer.status >= 500 ? EXIT.unreachable : EXIT.missing
  }
  let cassette
  try {
    cassette = parseCassette(answer.text, `trace ${options.traceId}`)
  } catch (error) {
    if (!(error instanceof CassetteFormatError)) throw error
    terminal.err(`retrace pull: ${error.message.split('\n')[0]}\n`)
    return EXIT.missing
  }
  const secrets = findSecrets(cassette)
  if (secrets.length) {
    terminal.err(`retrace pull: not written, the cassette holds ${secrets.length} secret-shaped value(s) at ${secrets.map((finding) => `${finding.path} (${finding.kind})`).join(', ')}.\n`)
    return EXIT.secret
  }
  if (options.out) {
    await writeCassetteFile(options.out, cassette)
    terminal.err(`wrote ${options.out} (${cassette.interactions.length} interaction(s))\n`)
  } else {
    terminal.out(serializeCassette(cassette))
  }
  return EXIT.pass
}
