import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { CASSETTE_EXTENSION, cassettesFolderOf } from '../naming/cassette-path.ts'
import type { LedgerEntry } from '@retrace/core'

/** A test file as the runner reports it after the run. */
export interface RanTestFile {
  path: string
  /** False when some of its tests were skipped, filtered out or not run: then its unused cassettes are not called obsolete. */
  complete: boolean
}

/**
 * Cassettes no test used, like obsolete snapshots: files in the `__cassettes__` folder of a
 * test file that ran completely, which no matcher call in this run read or wrote.
 *
 * @example
 * import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const root = mkdtempSync(join(tmpdir(), 'project-'))
 * const testPath = join(root, 'agent.test.ts')
 * const folder = join(root, '__cassettes__', 'agent.test.ts')
 * mkdirSync(folder, { recursive: true })
 * for (const name of ['books', 'old name']) writeFileSync(join(folder, `${name}.cassette.json`), '{}')
 * const used = { testPath, testName: 'books', cassette: join(folder, 'books.cassette.json'), outcome: 'identical' as const }
 * findObsoleteCassettes([{ path: testPath, complete: true }], [used]) // → [join(folder, 'old name.cassette.json')]
 */
export function findObsoleteCassettes(files: readonly RanTestFile[], entries: readonly LedgerEntry[]): string[] {
  const used = new Set(entries.map((entry) => entry.cassette))
  const obsolete: string[] = []
  for (const file of files) {
    if (!file.complete) continue
    const folder = cassettesFolderOf(file.path)
    if (!existsSync(folder)) continue
    for (const name of readdirSync(folder)) {
      const path = join(folder, name)
      if (name.endsWith(CASSETTE_EXTENSION) && !used.has(path)) obsolete.push(path)
    }
  }
  return obsolete.sort()
}

/**
 * Deletes obsolete cassettes (with `-u`), and their folders once empty.
 *
 * @example
 * import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const root = mkdtempSync(join(tmpdir(), 'project-'))
 * const folder = join(root, '__cassettes__', 'agent.test.ts')
 * mkdirSync(folder, { recursive: true })
 * writeFileSync(join(folder, 'old name.cassette.json'), '{}')
 * removeObsoleteCassettes(findObsoleteCassettes([{ path: join(root, 'agent.test.ts'), complete: true }], []))
 * existsSync(join(root, '__cassettes__')) // → false
 */
export function removeObsoleteCassettes(paths: readonly string[]): void {
  for (const path of paths) rmSync(path, { force: true })
  for (const folder of new Set(paths.map((path) => join(path, '..')))) {
    try {
      if (readdirSync(folder).length === 0) rmdirSync(folder)
      const parent = join(folder, '..')
      if (readdirSync(parent).length === 0) rmdirSync(parent)
    } catch {
      // already gone or not empty: leave it
    }
  }
}
