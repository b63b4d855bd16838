import { CassetteFormatError, parseCassette } from '@retrace/cassettes'
import type { CassetteCheck } from '../cassette-files/check-cassette-files.ts'

/** One thing wrong with a cassette file. */
export interface LintProblem {
  file: string
  kind: 'secret' | 'invalid'
  /** JSON path of the offending value (`$` for the whole file). */
  path: string
  message: string
  /** For an invalid file: what to do about it, as replay's `CassetteFormatError` says it. */
  fix?: string
}

/** What to do about each kind of problem. */
export const LINT_FIXES: Readonly<Record<LintProblem['kind'], string>> = {
  secret:
    'Remove the secret: add a redactor for that path (the `redact` option: { path: "$.…" }, { header: "…" } or { pattern: /…/ }) and record again, or replace the value with "[REDACTED]" by hand. Then rotate the key: it may already be in git history.',
  invalid: 'Fix the field by hand, restore the file from git (git checkout -- <file>), or delete it and record again.',
}

/**
 * The problems of one checked cassette: each secret-shaped value by JSON path (the value
 * itself is never repeated), and, for a file replay would refuse, every problem the shared
 * check found, each with its JSON path (every schema issue, not just the first). A check
 * without its typed `error` is validated again from `text`, with the same check.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { checkCassetteFiles } from '../cassette-files/check-cassette-files.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * const leaked = chat('Weather in Paris?', 'Sunny, 18 °C.')
 * leaked.request.headers['authorization'] = 'Bearer sk-proj-' + 'abcdefghijklmnopqrstuvwxyz0123456789' // a fake key, split so scanners of this file see none
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [leaked] }))
 * lintProblems(checkCassetteFiles([file])[0]!).map((problem) => [problem.kind, problem.path])
 * // → [['secret', '$.interactions[0].request.headers.authorization']]
 */
export function lintProblems(check: CassetteCheck, text?: string): LintProblem[] {
  const problems: LintProblem[] = check.secrets.map((secret) => ({ file: check.file, kind: 'secret', path: secret.path, message: `secret-shaped value (${secret.kind})` }))
  if (check.invalid === undefined) return problems
  const error = check.error ?? (text === undefined ? undefined : formatErrorOf(text, check.file))
  if (error?.problem === 'invalid-schema') {
    for (const issue of error.issues) problems.push({ file: check.file, kind: 'invalid', path: issue.path, message: issue.message, ...fixOf(error) })
    return problems
  }
  // Not a file, not UTF-8, not JSON, no version, a newer format: the reader's own sentence says it best.
  const detail = check.invalid.split('\n\n')[0]!.replace(/^Cassette .*? is not usable: /s, '')
  problems.push({ file: check.file, kind: 'invalid', path: error?.path ?? '$', message: detail, ...fixOf(error) })
  return problems
}

function fixOf(error: CassetteFormatError | undefined): { fix?: string } {
  return error?.hint ? { fix: error.hint } : {}
}

function formatErrorOf(text: string, file: string): CassetteFormatError | undefined {
  try {
    parseCassette(text, file)
    return undefined
  } catch (error) {
    return error instanceof CassetteFormatError ? error : undefined
  }
}
