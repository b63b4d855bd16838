import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { CassetteFormatError, describeJsonError, parseCassette } from '@retrace/cassettes'
import { parseDetectorTrace, type DetectorTrace } from '@retrace/detectors'
import { UsageError } from '../usage-error.ts'
import { cassetteTrace } from './cassette-trace.ts'

/** What `retrace detect` read: the trace, and whether it came from a cassette. */
export interface TraceInput {
  trace: DetectorTrace
  from: 'cassette' | 'trace'
}

/**
 * Reads a cassette (`"interactions"`) or a trace file (`"spans"`, as `retrace import
 * who-and-when` writes) named on the command line. A missing path is a `UsageError` (exit 5);
 * a file that is neither, or a broken one, is a `CassetteFormatError` / `DetectorTraceError`
 * naming the file and the fix (exit 2).
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }))
 * writeFileSync(join(dir, '3.trace.json'), JSON.stringify({ version: 1, trace: { id: 't3', name: 'run', startedAt: '2025-01-31T09:00:00.000Z' }, spans: [] }))
 * const { trace, from } = readTraceInput('3.trace.json', dir)
 * ;[trace.trace.id, from] // → ['t3', 'trace']
 * readTraceInput('weather.cassette.json', dir).from // → 'cassette'
 */
export function readTraceInput(file: string, cwd: string): TraceInput {
  const path = resolve(cwd, file)
  if (!existsSync(path)) throw new UsageError(`No such file: ${file}. Pass a .cassette.json file, a .trace.json file, or the id of a trace on the Retrace server.`)
  if (statSync(path).isDirectory()) throw new UsageError(`${file} is a folder: pass a .cassette.json file or a .trace.json file.`)
  const text = readFileSync(path, 'utf8')
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new CassetteFormatError({ file, problem: 'invalid-json', detail: `it is not valid JSON (${describeJsonError(error, text)}).`, hint: 'Pass a cassette or a trace file (as `retrace import who-and-when` writes).', cause: error })
  }
  const fields = typeof raw === 'object' && raw !== null ? Object.keys(raw) : []
  if (fields.includes('interactions')) return { trace: cassetteTrace(parseCassette(text, file), basename(file)), from: 'cassette' }
  if (fields.includes('spans')) return { trace: parseDetectorTrace(raw, file), from: 'trace' }
  throw new CassetteFormatError({
    file,
    problem: 'invalid-schema',
    detail: 'it is neither a cassette (no "interactions") nor a trace file (no "spans").',
    hint: 'Pass a .cassette.json file, or a trace file: { "trace", "spans", "end" } (see `retrace import who-and-when`).',
  })
}
