import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { RetraceError } from '@retrace/cassettes/errors'
import type { LedgerEntry } from '@retrace/core'
import { LedgerEntrySchema } from '@retrace/core/run-ledger'
import type { RanTestFile } from './obsolete-cassettes.ts'

/**
 * Where the Vitest and Jest reporters keep the last run's ledger, under the project root.
 * `node_modules/.cache` is where tools keep caches: ignored by git, cleared with node_modules.
 */
export const LAST_RUN_FILE = join('node_modules', '.cache', 'retrace', 'last-run.json')

/** What the reporters write at the end of a test run: enough for `retrace cassette prune`. */
export interface LastRun {
  /** ISO time the run ended. */
  finishedAt: string
  /** `vitest` or `jest`. */
  runner?: string
  /** One entry per matcher call (failure messages left out to keep the file small). */
  entries: LedgerEntry[]
  /** The test files the run ran, and whether each ran completely (nothing skipped or filtered). */
  testFiles: Array<{ path: string; complete: boolean }>
}

/**
 * The last-run record is missing or unreadable: `retrace cassette prune` needs one. Exit 5.
 *
 * @example
 * const error = new LastRunError('/repo/node_modules/.cache/retrace/last-run.json', 'missing')
 * error.code // → 'RETRACE_LAST_RUN'
 * error.message.split('\n')[0] // → 'No record of a test run: /repo/node_modules/.cache/retrace/last-run.json does not exist.'
 */
export class LastRunError extends RetraceError {
  readonly file: string

  constructor(file: string, problem: 'missing' | 'unreadable', detail = '') {
    super(
      'RETRACE_LAST_RUN',
      problem === 'missing'
        ? `No record of a test run: ${file} does not exist.`
        : `The record of the last test run, ${file}, cannot be read${detail ? ` (${detail})` : ''}.`,
      {
        hint: 'Run your tests first (vitest run, or jest) with the Retrace plugin installed: its reporter writes that file at the end of every run. Run them from this folder, or pass --cwd <project root>.',
      },
    )
    this.file = file
  }
}

/**
 * The last-run file for a project: `<dir>/node_modules/.cache/retrace/last-run.json` in
 * `dir` or the nearest parent folder that has one (a command run from a sub-folder).
 *
 * @example
 * import { mkdirSync, mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const root = mkdtempSync(join(tmpdir(), 'project-'))
 * writeLastRun(root, 'vitest', [], [])
 * mkdirSync(join(root, 'src'))
 * findLastRunFile(join(root, 'src')) // → join(root, 'node_modules', '.cache', 'retrace', 'last-run.json')
 */
export function findLastRunFile(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const file = join(current, LAST_RUN_FILE)
    if (existsSync(file)) return file
    if (dirname(current) === current) return undefined
  }
}

/**
 * Reads and checks a last-run file; a `LastRunError` when it cannot be used.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const root = mkdtempSync(join(tmpdir(), 'project-'))
 * writeLastRun(root, 'vitest', [], [{ path: join(root, 'agent.test.ts'), complete: true }])
 * const lastRun = readLastRun(findLastRunFile(root)!)
 * lastRun.runner // → 'vitest'
 * lastRun.testFiles // → [{ path: join(root, 'agent.test.ts'), complete: true }]
 */
export function readLastRun(file: string): LastRun {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new LastRunError(file, existsSync(file) ? 'unreadable' : 'missing', existsSync(file) ? (error as Error).message : '')
  }
  const record = raw as Partial<Record<keyof LastRun, unknown>> | null
  if (!record || typeof record.finishedAt !== 'string' || Number.isNaN(Date.parse(record.finishedAt)) || !Array.isArray(record.entries) || !Array.isArray(record.testFiles)) {
    throw new LastRunError(file, 'unreadable', 'expected { finishedAt, entries, testFiles }')
  }
  const entries: LedgerEntry[] = []
  for (const entry of record.entries) {
    const parsed = LedgerEntrySchema.safeParse(entry)
    if (!parsed.success) throw new LastRunError(file, 'unreadable', `an entry does not match the ledger format: ${parsed.error.issues[0]?.message ?? ''}`)
    entries.push(parsed.data)
  }
  const testFiles = record.testFiles.map((item: unknown) => {
    const value = item as { path?: unknown; complete?: unknown } | null
    if (!value || typeof value.path !== 'string' || typeof value.complete !== 'boolean') throw new LastRunError(file, 'unreadable', 'a test file entry is not { path, complete }')
    return { path: value.path, complete: value.complete }
  })
  return { finishedAt: record.finishedAt, ...(typeof record.runner === 'string' ? { runner: record.runner } : {}), entries, testFiles }
}

/**
 * Keeps a run's ledger at `<root>/node_modules/.cache/retrace/last-run.json` for
 * `retrace cassette prune`. Failure messages are left out (the file stays small). Written
 * through a temporary file and a rename so a concurrent reader never sees half a file, and
 * never throws: a read-only checkout costs `prune` its input, not the test run.
 *
 * @example
 * import { existsSync, mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const root = mkdtempSync(join(tmpdir(), 'project-'))
 * const testPath = join(root, 'agent.test.ts')
 * writeLastRun(root, 'vitest', [{ testPath, testName: 'books', cassette: join(root, '__cassettes__', 'agent.test.ts', 'books.cassette.json'), outcome: 'identical', message: 'left out' }], [{ path: testPath, complete: true }])
 * existsSync(join(root, LAST_RUN_FILE)) // → true
 * readLastRun(join(root, LAST_RUN_FILE)).entries[0]?.message // → undefined
 */
export function writeLastRun(root: string, runner: string, entries: readonly LedgerEntry[], testFiles: readonly RanTestFile[]): void {
  const file = join(root, LAST_RUN_FILE)
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const record: LastRun = {
    finishedAt: new Date().toISOString(),
    runner,
    entries: entries.map(({ message: _message, ...entry }) => entry),
    testFiles: testFiles.map(({ path, complete }) => ({ path, complete })),
  }
  try {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(temporary, `${JSON.stringify(record)}\n`)
    renameSync(temporary, file)
  } catch {
    try {
      rmSync(temporary, { force: true })
    } catch {
      // The folder itself cannot be made (a file in the way): there is no temporary file to remove.
    }
  }
}
