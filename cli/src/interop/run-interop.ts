import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  CassetteFormatError,
  CassetteSecretError,
  findSecrets,
  readCassetteFile,
  serializeCassette,
  writeCassetteFile,
  writeFileAtomically,
  type Cassette,
} from '@retrace/cassettes'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'
import { fromAgentCassette } from './agent-cassette.ts'
import { finishImport } from './finish-import.ts'
import { parseJsonInput } from './foreign-input.ts'
import { fromHar, toHar } from './har.ts'
import { InteropInputError, type InteropFormat } from './interop-input-error.ts'
import { toMsw } from './msw.ts'
import { fromNock, toNock } from './nock.ts'
import { toOtel } from './otel.ts'

/** Formats `retrace import` reads. */
export const IMPORT_FORMATS = ['har', 'nock', 'agent-cassette'] as const
/** Formats `retrace export` writes. */
export const EXPORT_FORMATS = ['har', 'nock', 'msw', 'otel'] as const

export type ImportFormat = (typeof IMPORT_FORMATS)[number]
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Options of `retrace import`. */
export interface ImportOptions {
  format: ImportFormat
  file: string
  /** The cassette to write; stdout when absent. */
  output?: string
}

/** Options of `retrace export`. */
export interface ExportOptions {
  format: ExportFormat
  cassette: string
  /** The file to write; stdout when absent. */
  output?: string
  /** ISO time the first request started at (har, otel). */
  startTime?: string
  /** Write the MSW module as TypeScript (default: when `output` ends in `.ts`). */
  typescript?: boolean
}

/**
 * `retrace import <format> <file>`: converts the file, redacts it as a recording would be,
 * and writes the cassette atomically after the secret scan (or prints it). Exits 0, 2 when the
 * input is unusable, 4 when a secret survived redaction (nothing is written).
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { readCassetteFile } from '@retrace/cassettes'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const har = { log: { version: '1.2', creator: { name: 'devtools', version: '1' }, entries: [{ startedDateTime: '2025-01-31T09:00:00.000Z', time: 12, request: { method: 'GET', url: 'https://api.example.com/health', httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 }, response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [{ name: 'content-type', value: 'application/json' }], cookies: [], content: { size: 11, mimeType: 'application/json', text: '{"ok":true}' }, redirectURL: '', headersSize: -1, bodySize: 11 }, cache: {}, timings: { send: 0, wait: 12, receive: 0 } }] } }
 * writeFileSync(join(dir, 'session.har'), JSON.stringify(har))
 * const output = join(dir, '__cassettes__/session.cassette.json')
 * const code = await importFile({ format: 'har', file: join(dir, 'session.har'), output }, bufferTerminal())
 * code // → 0
 * readCassetteFile(output)?.interactions[0]?.response.body // → { json: { ok: true } }
 */
export async function importFile(options: ImportOptions, terminal: Terminal): Promise<ExitCode> {
  return withInteropExit(terminal, async () => {
    const warnings: string[] = []
    const convertOptions = { source: options.file, onWarning: (message: string) => warnings.push(message) }
    const text = readInput(options.file, options.format)
    const converted: Cassette =
      options.format === 'agent-cassette'
        ? fromAgentCassette(text, convertOptions)
        : options.format === 'nock'
          ? fromNock(parseJsonInput(text, { format: 'nock', source: options.file }), convertOptions)
          : fromHar(parseJsonInput(text, { format: 'har', source: options.file }), convertOptions)
    const cassette = finishImport(converted, options.format)
    printWarnings(warnings, terminal)
    const steps = cassette.interactions.filter((interaction) => interaction.step).length
    const what = `${cassette.interactions.length} interaction(s) (${steps} LLM step(s)) from ${options.file}`
    if (options.output) {
      await writeCassetteFile(resolve(options.output), cassette)
      terminal.out(`${terminal.style('green', 'Imported')} ${what} into ${options.output}.\n`)
    } else {
      const findings = findSecrets(cassette)
      if (findings.length > 0) throw new CassetteSecretError('the cassette for stdout', findings)
      terminal.out(serializeCassette(cassette))
      terminal.err(`Imported ${what}.\n`)
    }
    return EXIT.pass
  })
}

/**
 * `retrace export <format> <cassette>`: writes the cassette as HAR, nock definitions, an MSW
 * handlers module or OTLP/JSON GenAI spans, to a file (atomically) or stdout. Exits 0, 2 when
 * the cassette is missing or unusable, 5 for options that do not fit the format.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { existsSync } from 'node:fs'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }))
 * const code = await exportCassette({ format: 'msw', cassette: file, output: join(dir, 'handlers.ts') }, bufferTerminal())
 * code // → 0
 * existsSync(join(dir, 'handlers.ts')) // → true
 */
export async function exportCassette(options: ExportOptions, terminal: Terminal): Promise<ExitCode> {
  if (options.startTime !== undefined && options.format !== 'har' && options.format !== 'otel') {
    throw new UsageError(`--start-time applies to the har and otel formats, not ${options.format}.`)
  }
  if (options.typescript && options.format !== 'msw') throw new UsageError(`--typescript applies to the msw format, not ${options.format}.`)
  const startTime = parseStartTime(options.startTime)
  return withInteropExit(terminal, async () => {
    const cassette = readCassetteFile(resolve(options.cassette))
    if (!cassette) {
      throw new InteropInputError({ format: 'cassette', source: options.cassette, problem: 'the file does not exist.', hint: 'Check the path; cassettes are usually under __cassettes__/.' })
    }
    const warnings: string[] = []
    const onWarning = (message: string) => warnings.push(message)
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
    const typescript = options.typescript ?? /\.[cm]?ts$/.test(options.output ?? '')
    const text =
      options.format === 'har'
        ? json(toHar(cassette, { ...(startTime ? { startTime } : {}) }))
        : options.format === 'nock'
          ? json(toNock(cassette, { onWarning }))
          : options.format === 'msw'
            ? toMsw(cassette, { typescript, source: options.cassette, onWarning })
            : json(toOtel(cassette, { ...(startTime ? { startTime } : {}), source: options.cassette }))
    printWarnings(warnings, terminal)
    if (!options.output) {
      terminal.out(text)
      return EXIT.pass
    }
    await writeFileAtomically(resolve(options.output), text)
    terminal.out(`${terminal.style('green', 'Exported')} ${cassette.interactions.length} interaction(s) from ${options.cassette} to ${options.output} (${options.format}).\n`)
    return EXIT.pass
  })
}

/** Known failures keep their exit codes; anything else goes up to `run` (exit 5). */
async function withInteropExit(terminal: Terminal, action: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await action()
  } catch (error) {
    if (error instanceof InteropInputError || error instanceof CassetteFormatError) {
      terminal.err(`retrace: ${error.message}\n`)
      return EXIT.missing
    }
    if (error instanceof CassetteSecretError) {
      terminal.err(`retrace: ${error.message}\n`)
      return EXIT.secret
    }
    throw error
  }
}

function readInput(file: string, format: InteropFormat): string {
  try {
    return readFileSync(resolve(file), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const problem = code === 'ENOENT' ? 'the file does not exist.' : code === 'EISDIR' ? 'it is a folder, not a file.' : `it could not be read (${(error as Error).message}).`
    throw new InteropInputError({ format, source: file, problem })
  }
}

function parseStartTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const time = new Date(value)
  if (Number.isNaN(time.getTime())) throw new UsageError(`--start-time "${value}" is not a date; give an ISO 8601 time such as 2025-01-31T09:00:00Z.`)
  return time
}

function printWarnings(warnings: readonly string[], terminal: Terminal): void {
  for (const warning of warnings) terminal.err(`${terminal.style('yellow', 'warning:')} ${warning}\n`)
}

