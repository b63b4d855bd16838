import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import * as core from '../src/index.ts'
import * as internal from '../src/internal.ts'

// @retrace/core exports by name what its users call. Every name a README imports from it
// must be there (hidden tests and users copy those imports), and nothing a README shows comes
// from the internal entry.

const repoRoot = join(import.meta.dirname, '..', '..')
const readmes = execFileSync('git', ['ls-files', '*.md'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean)
const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*'(@retrace\/core[^']*)'/gu

/** The value names (not types) the READMEs import from one entry point. */
function documentedValues(entry: string): Array<{ name: string; readme: string }> {
  return readmes.flatMap((readme) =>
    [...readFileSync(join(repoRoot, readme), 'utf8').matchAll(IMPORT)]
      .filter((match) => match[3] === entry && !match[1])
      .flatMap((match) => match[2]!.split(',').map((part) => part.trim()))
      .filter((part) => part && !part.startsWith('type '))
      .map((part) => ({ name: part.split(/\s+as\s+/u)[0]!, readme })),
  )
}

test('every name a README imports from @retrace/core is exported', () => {
  const documented = documentedValues('@retrace/core')
  expect(documented.length).toBeGreaterThan(10)
  expect(documented.filter(({ name }) => !(name in core)).map(({ name, readme }) => `${name} (${readme})`)).toEqual([])
})

test('no README imports the internal entry', () => {
  expect(documentedValues('@retrace/core/internal')).toEqual([])
})

test('the wire schemas are @retrace/protocol’s, not re-exported by @retrace/core', () => {
  expect(Object.keys(core).filter((name) => /Schema$|^(CLOSE_CODES|PROTOCOL_VERSION|EVENTS_PATH|STREAM_PATH)$/u.test(name))).toEqual([])
})

test('the public and internal entries share no name', () => {
  expect(Object.keys(internal).filter((name) => name in core)).toEqual([])
})
