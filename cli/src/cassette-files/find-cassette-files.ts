import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const SKIPPED = new Set(['node_modules', '.git', 'dist', 'coverage', '.cache'])

/**
 * Every `*.cassette.json` under the given files or folders (a file is taken as is, even with
 * another name), skipping node_modules, .git, dist and coverage. Sorted. Whatever bears the
 * name is listed, a folder, a FIFO or a link included, so the check can refuse it as replay
 * would: a folder named `x.cassette.json` is not silently walked into as if it held cassettes.
 *
 * @example
 * findCassetteFiles(['.']) // ['/repo/__cassettes__/agent.test.ts/books.cassette.json', …]
 */
export function findCassetteFiles(paths: readonly string[], cwd = process.cwd()): string[] {
  const found = new Set<string>()
  const walk = (dir: string) => {
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      if (entry.name.endsWith('.cassette.json')) found.add(join(dir, entry.name))
      else if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) walk(join(dir, entry.name))
      }
    }
  }
  for (const path of paths.length ? paths : ['.']) {
    const absolute = resolve(cwd, path)
    let isDirectory = false
    try {
      isDirectory = readdirSync(absolute) !== undefined
    } catch {
      isDirectory = false
    }
    if (isDirectory && !absolute.endsWith('.cassette.json')) walk(absolute)
    else found.add(absolute)
  }
  return [...found].sort()
}
