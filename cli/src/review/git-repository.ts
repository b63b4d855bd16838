import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readCassetteText } from '@retrace/cassettes'
import { UsageError } from '../usage-error.ts'
import type { ChangedCassette } from './build-review.ts'

// Cassettes can be large (a long stream, many steps): give git's output room.
const MAX_BUFFER = 512 * 1024 * 1024

/**
 * Runs git and returns its stdout; `undefined` when git exits non-zero (the caller decides
 * what that means). Throws a `UsageError` when git itself cannot be started.
 *
 * @example
 * import { mkdtempSync, realpathSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const outside = realpathSync(mkdtempSync(join(tmpdir(), 'retrace-')))
 * git(['init', '-q'], outside) // → ''
 * git(['rev-parse', '--show-toplevel'], outside) // → `${outside}\n`
 * git(['rev-parse', '--verify', '--quiet', 'no-such-branch'], outside) // → undefined
 */
export function git(args: readonly string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', [...args], { cwd, encoding: 'utf8', maxBuffer: MAX_BUFFER, stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // spawn says ENOENT both for a missing program and a missing working folder.
      throw new UsageError(existsSync(cwd) ? 'git is not installed, or not on PATH: this command needs it.' : `The folder ${cwd} does not exist.`)
    }
    return undefined
  }
}

/**
 * The repository's top-level folder, or a `UsageError` saying this is not a repository.
 *
 * @example
 * import { execFileSync } from 'node:child_process'
 * import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { mkdirSync } from 'node:fs'
 * const repo = realpathSync(mkdtempSync(join(tmpdir(), 'retrace-repo-')))
 * const run = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Ana', '-c', 'user.email=ana@example.com', ...args], { cwd: repo })
 * run('init', '-q', '-b', 'main')
 * mkdirSync(join(repo, 'src'))
 * gitTopLevel(join(repo, 'src'), 'review') // → repo
 */
export function gitTopLevel(cwd: string, command: string): string {
  const top = git(['rev-parse', '--show-toplevel'], cwd)?.trim()
  if (!top) throw new UsageError(`${command} needs a git repository, and ${cwd} is not inside one. Run it from your project's checkout (or pass --cwd <dir>).`)
  return top
}

/** The commit a review compares the working tree with. */
export interface ReviewBase {
  /** The ref as given or chosen (`origin/main`). */
  ref: string
  /** The commit compared: the merge base of `ref` and HEAD, like a pull request's diff. */
  commit: string
}

/** Tried in order when no --base is given. */
export const DEFAULT_BASE_REFS = ['origin/HEAD', 'origin/main', 'origin/master', 'main', 'master'] as const

/**
 * Resolves the base of a review: `--base <ref>` when given (an unknown ref is a `UsageError`),
 * else the first of `origin/HEAD`, `origin/main`, `origin/master`, `main`, `master` that
 * exists, else `HEAD` (uncommitted changes only). The commit compared is the merge base of
 * that ref and HEAD, so commits added to the base branch since this branch started are not
 * shown as reverted (the diff a pull request shows).
 *
 * @example
 * import { execFileSync } from 'node:child_process'
 * import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const repo = realpathSync(mkdtempSync(join(tmpdir(), 'retrace-repo-')))
 * const run = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Ana', '-c', 'user.email=ana@example.com', ...args], { cwd: repo })
 * run('init', '-q', '-b', 'main')
 * writeFileSync(join(repo, 'README.md'), '# agent\n')
 * run('add', '.')
 * run('commit', '-q', '-m', 'first')
 * const head = run('rev-parse', 'HEAD').toString().trim()
 * resolveReviewBase(repo, 'main') // → { ref: 'main', commit: head }
 * // Without a ref: origin/HEAD, origin/main, … main, the first that exists.
 * resolveReviewBase(repo, undefined) // → { ref: 'main', commit: head }
 */
export function resolveReviewBase(top: string, requested: string | undefined): ReviewBase {
  const verify = (ref: string) => git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], top)?.trim() || undefined
  let ref = requested
  let commit: string | undefined
  if (requested !== undefined) {
    commit = verify(requested)
    if (!commit) {
      throw new UsageError(
        `Unknown git ref "${requested}": no branch, tag or commit has that name here. Check the spelling, or fetch it first (e.g. git fetch origin main, or actions/checkout with fetch-depth: 0).`,
      )
    }
  } else {
    for (const candidate of DEFAULT_BASE_REFS) {
      commit = verify(candidate)
      if (commit) {
        // origin/HEAD names the remote's default branch: say which one.
        ref = candidate === 'origin/HEAD' ? git(['rev-parse', '--abbrev-ref', candidate], top)?.trim() || candidate : candidate
        break
      }
    }
    if (!commit) {
      commit = verify('HEAD')
      ref = 'HEAD'
    }
    if (!commit) throw new UsageError('This repository has no commit yet, so there is nothing to review against. Commit first, or pass --base <ref>.')
  }
  const mergeBase = git(['merge-base', commit, 'HEAD'], top)?.trim()
  return { ref: ref!, commit: mergeBase || commit }
}

/**
 * Every `*.cassette.json` that differs between `commit` and the working tree (staged or
 * not, plus untracked files git does not ignore), with both texts.
 *
 * @example
 * import { execFileSync } from 'node:child_process'
 * import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const repo = realpathSync(mkdtempSync(join(tmpdir(), 'retrace-repo-')))
 * const run = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Ana', '-c', 'user.email=ana@example.com', ...args], { cwd: repo })
 * run('init', '-q', '-b', 'main')
 * writeFileSync(join(repo, 'books.cassette.json'), '{ "version": 1, "interactions": [] }\n')
 * run('add', '.')
 * run('commit', '-q', '-m', 'first')
 * const base = resolveReviewBase(repo, 'main')
 * writeFileSync(join(repo, 'books.cassette.json'), '{ "version": 1, "interactions": [], "meta": {} }\n')
 * writeFileSync(join(repo, 'new.cassette.json'), '{ "version": 1, "interactions": [] }\n')
 * changedCassettes(repo, base.commit).map((change) => [change.path, change.change])
 * // → [['books.cassette.json', 'modified'], ['new.cassette.json', 'added']]
 */
export function changedCassettes(top: string, commit: string): ChangedCassette[] {
  // No rename detection: cassettes of one agent look alike, and git would pair a deleted
  // cassette with an unrelated new one. A renamed test reads as one deleted, one added.
  const status = git(['diff', '--name-status', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', commit, '--', '*.cassette.json'], top)
  if (status === undefined) throw new UsageError(`git diff against ${commit} failed: is the commit available in this clone?`)
  const fields = status.split('\0')
  const changes: ChangedCassette[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i]!
    const path = fields[i + 1]!
    if (code === 'A') changes.push({ path, change: 'added', ...sides(top, commit, undefined, path) })
    else if (code === 'D') changes.push({ path, change: 'deleted', ...sides(top, commit, path, undefined) })
    else changes.push({ path, change: 'modified', ...sides(top, commit, path, path) })
  }
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z', '--', '*.cassette.json'], top) ?? ''
  for (const path of untracked.split('\0').filter(Boolean)) changes.push({ path, change: 'added', ...sides(top, commit, undefined, path) })
  return changes
}

function sides(top: string, commit: string, basePath: string | undefined, workPath: string | undefined): Pick<ChangedCassette, 'before' | 'after' | 'afterError'> {
  const result: Pick<ChangedCassette, 'before' | 'after' | 'afterError'> = {}
  // cat-file, not show: it never runs a textconv driver (retrace git-setup installs one).
  if (basePath !== undefined) result.before = git(['cat-file', 'blob', `${commit}:${basePath}`], top) ?? ''
  if (workPath !== undefined) {
    // The replay reader: a link to /dev/zero or a FIFO is refused, never read for ever.
    const read = readCassetteText(join(top, workPath))
    if (read.kind === 'text') result.after = read.text
    else if (read.kind === 'error') result.afterError = read.error
    // Missing: removed since git listed it, reviewed as deleted.
  }
  return result
}
