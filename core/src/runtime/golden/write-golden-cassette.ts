import { dirname, relative, resolve, sep } from 'node:path'
import { compileMatchOptions, readCassetteFile, RetraceError, toJsonValue, writeCassetteFile, type JsonValue } from '@retrace/cassettes'
import { createRedactor } from '../../redaction/redactor.ts'
import type { Redactor } from '../../redaction/redaction-options.ts'
import { finalizeRecording } from '../../session/finalize-recording.ts'
import type { RecordedTrace } from '../record.ts'

/** Options of {@link writeGoldenCassette}. */
export interface GoldenCassetteOptions {
  /** The finished run (`lastTrace()`, or a recorded function's `.lastTrace`). */
  trace: RecordedTrace
  /** The function to re-run: by default the module that called `record()` and the run's name. */
  entry?: { module: string; export: string }
  /** Extra redaction rules (the defaults always apply unless `false`). */
  redact?: Redactor[] | false
}

/**
 * Writes a finished run as a golden cassette (format v1) that names its entry point, so
 * `retrace ci replay` can re-run that function offline with the recorded input and compare.
 * Redacted, secret-scanned and atomic like every cassette; unchanged interactions stay byte
 * for byte when the file is rewritten.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { readCassetteFile } from '@retrace/cassettes'
 * import { record } from '@retrace/core'
 * const refund = record({ name: 'refund', entry: { module: join(process.cwd(), 'agent.ts'), export: 'refund' } }, async (order: string) => ({ order, refunded: true }))
 * await refund('1234')
 * const file = join(mkdtempSync(join(tmpdir(), 'goldens-')), 'refund.cassette.json')
 * await writeGoldenCassette(file, { trace: refund.lastTrace! }) // → { file, written: true, interactions: 0 }
 * readCassetteFile(file)?.run?.result // → { order: '1234', refunded: true }
 */
export async function writeGoldenCassette(path: string, options: GoldenCassetteOptions): Promise<{ file: string; written: boolean; interactions: number }> {
  const { trace } = options
  if (trace.status === 'running') {
    throw new RetraceError('RETRACE_TRACE_RUNNING', `Trace ${trace.id} (${trace.name}) is still running.`, { hint: 'Write the golden cassette after the recorded function returned.' })
  }
  const entry = options.entry ?? trace.options.entry
  if (!entry) {
    throw new RetraceError('RETRACE_NO_ENTRY_POINT', `Cannot tell which function produced trace ${trace.id} (${trace.name}).`, {
      hint: "Pass { entry: { module: '/path/to/agent.ts', export: 'runAgent' } }, or set entry in record() options.",
    })
  }
  const file = resolve(path)
  const input = toJsonValue(trace.options.input)
  // The module is stored relative to the cassette so the repository can move.
  const module = relative(dirname(file), entry.module).split(sep).join('/')
  const cassette = finalizeRecording({
    interactions: trace.interactions,
    previous: readCassetteFile(file),
    redaction: createRedactor(options.redact ?? []),
    match: compileMatchOptions(),
    run: {
      ...(trace.status === 'failed' && trace.error ? { error: { name: trace.error.type, message: trace.error.message } } : { result: toJsonValue(trace.result) }),
      entry: { module: module.startsWith('.') ? module : `./${module}`, export: entry.export, input: (Array.isArray(input) ? input : [input]) as JsonValue[] },
    },
  })
  const written = await writeCassetteFile(file, cassette)
  return { file, written, interactions: cassette.interactions.length }
}
