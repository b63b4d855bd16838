import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { readCassetteFile, type Cassette } from '@retrace/cassettes'
import { UsageError } from '../usage-error.ts'

/**
 * Reads a cassette named on the command line. A path that is not a file is a `UsageError`
 * (exit 5); a file that is not a usable cassette is a `CassetteFormatError` with the fix (exit 2).
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import assert from 'node:assert/strict'
 * import { UsageError } from '../usage-error.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }))
 * loadCassette('weather.cassette.json', dir).interactions.length // → 1
 * assert.throws(() => loadCassette('missing.cassette.json', dir), UsageError)
 */
export function loadCassette(file: string, cwd: string): Cassette {
  const path = resolve(cwd, file)
  if (!existsSync(path)) throw new UsageError(`No such file: ${file}. Pass the path of a .cassette.json file.`)
  if (statSync(path).isDirectory()) throw new UsageError(`${file} is a folder: pass the path of a .cassette.json file.`)
  return readCassetteFile(path)!
}
