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
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { readCassetteFile } from '@retrace/cassettes'
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const stored = { version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'GET /api/v1/traces/tr_1/cassette': stored }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * const out = join(mkdtempSync(join(tmpdir(), 'retrace-')), '__cassettes__', 'weather.cassette.json')
 * await pullCassette({ ...options, traceId: 'tr_1', out }, terminal) // → 0
 * readCassetteFile(out)?.interactions.length // → 1
 * await pullCassette({ ...options, traceId: 'tr_9' }, terminal) // → 2
 * server.close()
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
