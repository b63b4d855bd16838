import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { inspectCassetteFile } from '@retrace/cassettes'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { buildTimeline } from '../review/build-timeline.ts'
import { renderTimeline } from '../review/render-timeline.ts'
import { UsageError } from '../usage-error.ts'
import { loadCassette } from './load-cassette.ts'

/** Options of `retrace cassette show`. */
export interface CassetteShowOptions {
  json?: boolean
  /** Plain, complete and free of timings: the git diff driver's output. */
  textconv?: boolean
  /** Texts and arguments in full, not trimmed. */
  full?: boolean
  cwd?: string
}

/**
 * `retrace cassette show <file>`: the cassette as a readable timeline (or `--json` data).
 * With `--textconv` (how git calls it) a file that is not a usable cassette is printed as
 * it is, so `git diff` still works on a half-merged file.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }))
 * const terminal = bufferTerminal()
 * await cassetteShow('weather.cassette.json', { json: false, cwd: dir }, terminal) // → 0
 * terminal.stdout().includes('Sunny, 18 °C.') // → true
 */
export async function cassetteShow(file: string, options: CassetteShowOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = options.cwd ?? process.cwd()
  if (options.textconv) {
    const path = resolve(cwd, file)
    if (!existsSync(path)) throw new UsageError(`No such file: ${file}.`)
    const inspection = inspectCassetteFile(path)
    if (inspection.cassette) terminal.out(renderTimeline(buildTimeline(inspection.cassette), { textconv: true }))
    else if (inspection.text !== undefined) terminal.out(inspection.text)
    else throw inspection.error ?? new UsageError(`No such file: ${file}.`)
    return EXIT.pass
  }
  const timeline = buildTimeline(loadCassette(file, cwd))
  if (options.json) terminal.out(`${JSON.stringify(timeline, null, 2)}\n`)
  else terminal.out(renderTimeline(timeline, { style: terminal.style, full: options.full === true, title: relative(cwd, resolve(cwd, file)) || file }))
  return EXIT.pass
}
