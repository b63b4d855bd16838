import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { checkCassetteFiles } from '../cassette-files/check-cassette-files.ts'
import { findCassetteFiles } from '../cassette-files/find-cassette-files.ts'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { LINT_FIXES, lintProblems, type LintProblem } from '../review/lint-problems.ts'
import { UsageError } from '../usage-error.ts'

/** Options of `retrace cassette lint`. */
export interface CassetteLintOptions {
  json?: boolean
  cwd?: string
}

/**
 * `retrace cassette lint [paths...]`: validates every cassette under the paths against the
 * format and scans it for secrets. Exit 4 when any holds a secret (even if others are merely
 * invalid), 2 when any is invalid, 0 when all are clean.
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
 * await cassetteLint(['.'], { json: false, cwd: dir }, terminal) // → 0
 * writeFileSync(join(dir, 'broken.cassette.json'), '{ "version": 1, ')
 * await cassetteLint(['.'], { json: false, cwd: dir }, terminal) // → 2
 */
export async function cassetteLint(paths: readonly string[], options: CassetteLintOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = options.cwd ?? process.cwd()
  for (const path of paths) {
    if (!existsSync(resolve(cwd, path))) throw new UsageError(`No such file or folder: ${path}.`)
  }
  const files = findCassetteFiles(paths, cwd)
  const checks = checkCassetteFiles(files)
  const problems: LintProblem[] = checks.flatMap((check) => lintProblems(check))
  const withSecrets = new Set(problems.filter((problem) => problem.kind === 'secret').map((problem) => problem.file))
  const invalid = new Set(problems.filter((problem) => problem.kind === 'invalid').map((problem) => problem.file))
  const exitCode = withSecrets.size ? EXIT.secret : invalid.size ? EXIT.missing : EXIT.pass
  const rel = (file: string) => relative(cwd, file) || file

  if (options.json) {
    terminal.out(`${JSON.stringify({ exitCode, checked: files.length, problems: problems.map((problem) => ({ ...problem, file: rel(problem.file) })) }, null, 2)}\n`)
    return exitCode
  }
  if (files.length === 0) {
    terminal.out(`No *.cassette.json files under ${paths.length ? paths.join(', ') : '.'}.\n`)
    return exitCode
  }
  let current = ''
  const fixes = new Set<string>()
  const endFile = () => {
    for (const fix of fixes) terminal.out(`      ${terminal.style('dim', `fix: ${fix}`)}\n`)
    fixes.clear()
  }
  for (const problem of problems) {
    if (problem.file !== current) {
      endFile()
      current = problem.file
      terminal.out(`${terminal.style('red', '✗')} ${terminal.style('bold', rel(problem.file))}\n`)
    }
    const kind = problem.kind === 'secret' ? terminal.style('red', 'secret') : terminal.style('yellow', 'invalid')
    terminal.out(`    ${kind} ${problem.path}: ${problem.message}\n`)
    if (problem.fix) fixes.add(problem.fix)
  }
  endFile()
  const summary = `${files.length} cassette(s) checked: ${withSecrets.size} with a secret, ${invalid.size} invalid.`
  terminal.out(`${problems.length ? '\n' : ''}${exitCode === EXIT.pass ? terminal.style('green', `✓ ${summary}`) : summary}\n`)
  for (const kind of ['secret', 'invalid'] as const) {
    if (problems.some((problem) => problem.kind === kind)) terminal.out(`Fix (${kind}): ${LINT_FIXES[kind]}\n`)
  }
  return exitCode
}
