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
 * const code = await cassetteLint(['__cassettes__'], { json: false }, terminal)
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
