import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { buildReview } from '../review/build-review.ts'
import { changedCassettes, DEFAULT_BASE_REFS, gitTopLevel, resolveReviewBase } from '../review/git-repository.ts'
import { renderReviewMarkdown } from '../review/render-review.ts'

/** Options of `retrace review`. */
export interface ReviewOptions {
  base?: string
  json?: boolean
  output?: string
  cwd?: string
}

/**
 * `retrace review`: every cassette changed between a git base and the working tree, as one
 * Markdown report for a pull-request comment (or `--json`), printed or written to
 * `--output`. A report, not a gate: exit 0 whatever the verdicts (5 outside a git
 * repository or with an unknown ref).
 *
 * @example
 * import { execFileSync } from 'node:child_process'
 * import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const repo = mkdtempSync(join(tmpdir(), 'retrace-repo-'))
 * const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Ana', '-c', 'user.email=ana@example.com', ...args], { cwd: repo })
 * git('init', '-q', '-b', 'main')
 * writeFileSync(join(repo, 'books.cassette.json'), '{ "version": 1, "interactions": [] }\n')
 * git('add', '.')
 * git('commit', '-q', '-m', 'first')
 * writeFileSync(join(repo, 'new.cassette.json'), '{ "version": 1, "interactions": [] }\n')
 * const terminal = bufferTerminal()
 * await review({ base: 'main', output: 'review.md', cwd: repo }, terminal) // → 0
 * readFileSync(join(repo, 'review.md'), 'utf8').includes('new.cassette.json') // → true
 */
export async function review(options: ReviewOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = resolve(options.cwd ?? '.')
  const top = gitTopLevel(cwd, 'review')
  const base = resolveReviewBase(top, options.base)
  if (options.base === undefined && base.ref === 'HEAD') {
    // On stderr: stdout is the report, often piped into a comment.
    terminal.err(`retrace: no ${DEFAULT_BASE_REFS.join(', ')} here, so only uncommitted changes are reviewed (against HEAD). Pass --base <ref>; in CI, fetch the base branch first.\n`)
  }
  const report = buildReview(base, changedCassettes(top, base.commit))
  const text = options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReviewMarkdown(report)
  if (options.output) {
    const path = resolve(cwd, options.output)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
    const { counts } = report
    terminal.out(`Reviewed ${report.entries.length} changed cassette(s) against ${base.ref} (${counts.diverged} diverged, ${counts.added} added, ${counts.deleted} deleted); wrote ${options.output}.\n`)
  } else terminal.out(text)
  return EXIT.pass
}
