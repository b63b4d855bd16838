import { detectSecret, findSecrets, inspectCassetteFile, type Cassette, type CassetteFormatError, type SecretFinding } from '@retrace/cassettes'

/** What a cassette file looks like to the linter. */
export interface CassetteCheck {
  file: string
  /** The parsed cassette, when the file is valid. */
  cassette?: Cassette
  /** Why the file cannot be used (not a file, not UTF-8, invalid JSON, wrong schema, newer format): the error's message. */
  invalid?: string
  /** The same reason as the typed error replay throws, with its JSON path and every issue. */
  error?: CassetteFormatError
  /** Secret-shaped strings, by JSON path. */
  secrets: SecretFinding[]
}

/**
 * Validates each cassette file with the same check replay uses (`inspectCassetteFile`), so
 * lint and replay always agree, and scans it for secrets. A file that does not parse is
 * still scanned as text: a corrupt cassette holding a key is still a leak. A file that
 * vanished since it was listed is reported as invalid.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { findCassetteFiles } from './find-cassette-files.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }))
 * writeFileSync(join(dir, 'broken.cassette.json'), '{ "version": 1, ')
 * const checks = checkCassetteFiles(findCassetteFiles([dir]))
 * checks.map((check) => [check.file === file, check.invalid === undefined, check.secrets.length]) // → [[false, false, 0], [true, true, 0]]
 */
export function checkCassetteFiles(files: readonly string[]): CassetteCheck[] {
  return files.map((file) => {
    const inspection = inspectCassetteFile(file)
    if (inspection.missing) return { file, invalid: `Cassette ${file} is not usable: it no longer exists.`, secrets: [] }
    if (inspection.cassette) return { file, cassette: inspection.cassette, secrets: findSecrets(inspection.cassette) }
    const kind = inspection.text === undefined ? undefined : detectSecret(inspection.text)
    const error = inspection.error!
    return { file, invalid: error.message, error, secrets: kind ? [{ path: '(file text)', kind }] : [] }
  })
}
