import { parseDetectorTrace, type DetectorTrace } from '@retrace/detectors'
import { RetraceError } from '@retrace/cassettes'
import { callServer, errorMessage, ServerUnreachableError, serverTarget } from './server-client.ts'

/**
 * The server has no such trace in the key's project: exit 2, like a missing cassette.
 *
 * @example
 * const error = new UnknownTraceError('tr_42', 'http://127.0.0.1:8787')
 * error.message.split('\n')[0] // → "the server at http://127.0.0.1:8787 has no trace tr_42 in this API key's project."
 */
export class UnknownTraceError extends RetraceError {
  readonly traceId: string

  constructor(traceId: string, baseUrl: string) {
    super('RETRACE_UNKNOWN_TRACE', `the server at ${baseUrl} has no trace ${traceId.slice(0, 200)} in this API key's project.`, {
      hint: 'Check the id (`retrace push` and the dashboard show it) and that RETRACE_API_KEY belongs to the project that holds the trace.',
    })
    this.traceId = traceId
  }
}

/**
 * Whether a command-line argument that is not a file can be a trace id: no path separator,
 * no whitespace, not a `.json` file name, at most 1,024 characters (the server's limit).
 *
 * @example
 * looksLikeTraceId('cs_3f1c9a') // → true
 * looksLikeTraceId('traces/13.trace.json') // → false
 */
export function looksLikeTraceId(argument: string): boolean {
  return /^[^\s/\\]{1,1024}$/.test(argument) && !/\.json$/i.test(argument)
}

/**
 * Downloads a stored trace as a trace file (`GET /api/v1/traces/:id/trace-file`: what the
 * server's own detectors read) from the server at `RETRACE_BASE_URL` with `RETRACE_API_KEY`.
 * No key: `UsageError` (exit 5); unreachable or key refused: `ServerUnreachableError` (6);
 * no such trace: `UnknownTraceError` (2).
 *
 * @example
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const file = { version: 1, trace: { id: 'tr_1', name: 'run', startedAt: '2025-01-31T09:00:00.000Z' }, spans: [] }
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'GET /api/v1/traces/tr_1/trace-file': file }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * const { trace } = await fetchTraceFile('tr_1', options)
 * trace.trace.id // → 'tr_1'
 * await fetchTraceFile('tr_9', options).catch((error: UnknownTraceError) => error.code) // → 'RETRACE_UNKNOWN_TRACE'
 * server.close()
 */
export async function fetchTraceFile(traceId: string, options: { baseUrl?: string | undefined; apiKey?: string | undefined; env?: NodeJS.ProcessEnv | undefined }): Promise<{ trace: DetectorTrace; baseUrl: string }> {
  const target = serverTarget(options, options.env)
  const answer = await callServer(target, `/api/v1/traces/${encodeURIComponent(traceId)}/trace-file`)
  if (answer.status === 404) throw new UnknownTraceError(traceId, target.baseUrl)
  if (answer.status !== 200) throw new ServerUnreachableError(`the server at ${target.baseUrl} answered ${answer.status} for trace ${traceId.slice(0, 200)}: ${errorMessage(answer.body) ?? 'no detail'}.`)
  return { trace: parseDetectorTrace(answer.body, `trace ${traceId} from ${target.baseUrl}`), baseUrl: target.baseUrl }
}
