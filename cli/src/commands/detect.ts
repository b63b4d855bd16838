import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { attributeFailure, buildTopology, detect as runDetect, DetectorKindSchema, type DetectOptions, type DetectorKind } from '@retrace/detectors'
import { readTraceInput, type TraceInput } from '../detect/read-trace-input.ts'
import { renderDetection } from '../detect/render-detection.ts'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'
import { fetchTraceFile, looksLikeTraceId } from './fetch-trace-file.ts'

/** Options of `retrace detect`. */
export interface DetectCommandOptions {
  json?: boolean
  /** Comma-separated detector kinds to run (default: all). */
  detectors?: string
  /** Comma-separated kinds that make the command exit 7 when flagged. */
  failOn?: string
  minConfidence?: string
  task?: string
  cwd?: string
  /** For a trace id: the server (default `RETRACE_BASE_URL`, else http://127.0.0.1:8787) and key (default `RETRACE_API_KEY`). */
  baseUrl?: string
  apiKey?: string
  env?: NodeJS.ProcessEnv
}

/**
 * `retrace detect <cassette|trace-file|trace-id>`: runs the multi-agent failure detectors and
 * prints the flags (or `--json`). An argument that is no file but looks like a trace id is
 * fetched from the Retrace server. Exits 0, or 7 when `--fail-on` names a kind that was
 * flagged; 2 for an unusable file or an unknown trace, 5 for bad flags or no API key, 6 when
 * the server is unreachable.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const search = () => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Population of Lyon in 2023?' }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search_web', arguments: '{"query":"Lyon population 2023"}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * writeFileSync(join(dir, 'lyon.cassette.json'), JSON.stringify({ version: 1, interactions: [search(), search(), search()] }))
 * const terminal = bufferTerminal()
 * await detectCommand('lyon.cassette.json', { failOn: 'loop,ping-pong', cwd: dir }, terminal) // → 7
 * await detectCommand('lyon.cassette.json', { failOn: 'ping-pong', cwd: dir }, terminal) // → 0
 */
export async function detectCommand(file: string, options: DetectCommandOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = options.cwd ?? process.cwd()
  const detectors = detectorKinds(options.detectors, '--detectors')
  const failOn = detectorKinds(options.failOn, '--fail-on') ?? []
  const detectOptions: DetectOptions = {
    ...(detectors ? { detectors } : {}),
    ...(options.task !== undefined ? { task: options.task } : {}),
    ...(options.minConfidence !== undefined ? { minConfidence: confidence(options.minConfidence) } : {}),
  }
  const { trace, from, title } = await readArgument(file, cwd, options)
  const result = runDetect(trace, detectOptions)
  const attribution = attributeFailure(result)
  if (options.json) {
    terminal.out(`${JSON.stringify({ file, from, ...result, attribution: attribution ?? null, topology: buildTopology(trace.spans) }, null, 2)}\n`)
  } else {
    terminal.out(renderDetection(trace, result, attribution, { title, style: terminal.style }))
  }
  const failing = result.flags.filter((flag) => (failOn as string[]).includes(flag.kind))
  if (failing.length === 0) return EXIT.pass
  if (!options.json) terminal.err(`retrace: ${failing.length} flag(s) of a kind in --fail-on (${[...new Set(failing.map((flag) => flag.kind))].join(', ')}).\n`)
  return EXIT.flagged
}

/** A file (cassette or trace file) when one exists at that path, else a trace on the server when the argument can be an id. */
async function readArgument(argument: string, cwd: string, options: DetectCommandOptions): Promise<{ trace: TraceInput['trace']; from: TraceInput['from'] | 'server'; title: string }> {
  if (existsSync(resolve(cwd, argument)) || !looksLikeTraceId(argument)) {
    return { ...readTraceInput(argument, cwd), title: relative(cwd, resolve(cwd, argument)) || argument }
  }
  const { trace, baseUrl } = await fetchTraceFile(argument, { baseUrl: options.baseUrl, apiKey: options.apiKey, env: options.env })
  return { trace, from: 'server', title: `trace ${argument} (${baseUrl})` }
}

/**
 * Detector kinds from a comma-separated flag value (undefined when the flag is absent); a
 * `UsageError` naming the flag for an unknown kind or an empty list.
 *
 * @example
 * detectorKinds('loop,ping-pong', '--fail-on') // → ['loop', 'ping-pong']
 * detectorKinds(undefined, '--fail-on') // → undefined
 */
export function detectorKinds(value: string | undefined, flag: string): DetectorKind[] | undefined {
  if (value === undefined) return undefined
  const names = value.split(',').map((name) => name.trim()).filter(Boolean)
  const unknown = names.filter((name) => !DetectorKindSchema.safeParse(name).success)
  if (unknown.length || names.length === 0) {
    throw new UsageError(`${flag} takes detector kinds separated by commas; ${unknown.length ? `unknown: ${unknown.join(', ')}` : 'none given'}. Kinds: ${DetectorKindSchema.options.join(', ')}.`)
  }
  return names as DetectorKind[]
}

function confidence(value: string): number {
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0 || number > 1) throw new UsageError(`--min-confidence takes a number from 0 to 1, not "${value}".`)
  return number
}
