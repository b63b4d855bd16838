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
 * const { trace } = readTraceInput('traces/3.trace.json', process.cwd())
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
