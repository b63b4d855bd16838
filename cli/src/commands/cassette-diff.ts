import { relative, resolve } from 'node:path'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { diffCassettes } from '../review/diff-cassettes.ts'
import { renderCassetteDiff } from '../review/render-cassette-diff.ts'
import { UsageError } from '../usage-error.ts'
import { loadCassette } from './load-cassette.ts'

/** Options of `retrace cassette diff`. */
export interface CassetteDiffOptions {
  json?: boolean
  /** Lowest text similarity still counted as equivalent (the divergence engine's `textThreshold`). */
  threshold?: string
  cwd?: string
}

/**
 * `retrace cassette diff <a> <b>`: the semantic diff of two cassettes, step by step. Exit 0
 * when they are identical or equivalent, 1 when the second diverged from the first.
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
 * writeFileSync(join(dir, 'new.cassette.json'), JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'It is raining heavily in Paris today.')] }))
 * await cassetteDiff('weather.cassette.json', 'weather.cassette.json', { cwd: dir }, terminal) // → 0
 * await cassetteDiff('weather.cassette.json', 'new.cassette.json', { cwd: dir }, terminal) // → 1
 * terminal.stdout().includes('Diverged at step 1') // → true
 */
export async function cassetteDiff(a: string, b: string, options: CassetteDiffOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = options.cwd ?? process.cwd()
  const threshold = parseThreshold(options.threshold)
  const diff = diffCassettes(loadCassette(a, cwd), loadCassette(b, cwd), threshold === undefined ? {} : { textThreshold: threshold })
  const label = (file: string) => relative(cwd, resolve(cwd, file)) || file
  if (options.json) terminal.out(`${JSON.stringify(diff, null, 2)}\n`)
  else terminal.out(renderCassetteDiff(diff, { style: terminal.style, labels: { before: label(a), after: label(b) } }))
  return diff.verdict === 'diverged' ? EXIT.regression : EXIT.pass
}

function parseThreshold(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new UsageError(`--threshold takes a similarity between 0 and 1, e.g. --threshold 0.6 (got "${value}").`)
  }
  return number
}
