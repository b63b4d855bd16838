import { basename, dirname, join } from 'node:path'

/** The folder, next to each test file, that holds its cassettes. */
export const CASSETTES_DIR = '__cassettes__'
export const CASSETTE_EXTENSION = '.cassette.json'

// Characters no file system accepts (or that shells and git mangle) become a dash.
const UNSAFE = /[<>:"/\\|?*\u0000-\u001f]/g

/**
 * A test or cassette name as a file name: unsafe characters replaced, whitespace collapsed,
 * at most 180 characters (long names keep their start, which is what a reader scans).
 *
 * @example
 * cassetteFileName('books > the cheapest: flight') // → 'books - the cheapest- flight'
 */
export function cassetteFileName(name: string): string {
  const clean = name.replace(UNSAFE, '-').replace(/\s+/g, ' ').trim().replace(/^\.+/, '')
  return (clean || 'unnamed').slice(0, 180)
}

/**
 * Where a test's cassette lives: `__cassettes__/<test file>/<test name>.cassette.json` beside
 * the test file. A second unnamed cassette in the same test gets ` 2`, then ` 3`, like
 * snapshots.
 *
 * @example
 * cassettePathFor('/repo/agent.test.ts', 'books the cheapest flight')
 * // → '/repo/__cassettes__/agent.test.ts/books the cheapest flight.cassette.json'
 * cassettePathFor('/repo/agent.test.ts', 'books the cheapest flight', 2)
 * // → '/repo/__cassettes__/agent.test.ts/books the cheapest flight 2.cassette.json'
 */
export function cassettePathFor(testPath: string, name: string, occurrence = 1): string {
  const suffix = occurrence > 1 ? ` ${occurrence}` : ''
  return join(cassettesFolderOf(testPath), `${cassetteFileName(name)}${suffix}${CASSETTE_EXTENSION}`)
}

/**
 * The folder holding one test file's cassettes.
 *
 * @example
 * cassettesFolderOf('/repo/agent.test.ts') // → '/repo/__cassettes__/agent.test.ts'
 */
export function cassettesFolderOf(testPath: string): string {
  return join(dirname(testPath), CASSETTES_DIR, basename(testPath))
}
