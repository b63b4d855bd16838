import { CassetteSchema, formatJsonPath } from '@retrace/cassettes'
import type { CassetteCheck } from '../cassette-files/check-cassette-files.ts'

/** One thing wrong with a cassette file. */
export interface LintProblem {
  file: string
  kind: 'secret' | 'invalid'
  /** JSON path of the offending value (`$` for the whole file). */
  path: string
  message: string
}

/** What to do about each kind of problem. */
export const LINT_FIXES: Readonly<Record<LintProblem['kind'], string>> = {
  secret:
    'Remove the secret: add a redactor for that path (the `redact` option: { path: "$.…" }, { header: "…" } or { pattern: /…/ }) and record again, or replace the value with "[REDACTED]" by hand. Then rotate the key: it may already be in git history.',
  invalid: 'Fix the field by hand, restore the file from git (git checkout -- <file>), or delete it and record again.',
}

/**
 * The problems of one checked cassette: each secret-shaped value by JSON path (the value
 * itself is never repeated), and, for a file that does not match the schema, every schema
 * issue with its path (not just the first). `text` is the file's text, used to list every
 * schema issue; without it only the first is known.
 *
 * @example
 * lintProblems(checkCassetteFiles([file])[0], readFileSync(file, 'utf8'))
 * // [{ file, kind: 'secret', path: '$.interactions[0].request.headers.authorization', message: 'secret-shaped value (bearer-token)' }]
 */
export function lintProblems(check: CassetteCheck, text?: string): LintProblem[] {
  const problems: LintProblem[] = check.secrets.map((secret) => ({ file: check.file, kind: 'secret', path: secret.path, message: `secret-shaped value (${secret.kind})` }))
  if (check.invalid === undefined) return problems
  const issues = text === undefined ? [] : schemaIssues(text)
  if (issues.length) {
    for (const issue of issues) problems.push({ file: check.file, kind: 'invalid', ...issue })
  } else {
    // Not JSON, no version, a newer format: the reader's own sentence says it best.
    const detail = check.invalid.split('\n\n')[0]!.replace(/^Cassette .*? is not usable: /, '')
    problems.push({ file: check.file, kind: 'invalid', path: '$', message: detail })
  }
  return problems
}

function schemaIssues(text: string): Array<{ path: string; message: string }> {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return []
  }
  const version = typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined
  // Only a v1 file is checked field by field; other versions get the reader's message.
  if (version !== 1) return []
  const result = CassetteSchema.safeParse(raw)
  if (result.success) return []
  return result.error.issues.map((issue) => ({
    path: formatJsonPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol')),
    message: issue.message,
  }))
}
