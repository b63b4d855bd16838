import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A fresh folder for a test's cassettes.
 *
 * @example
 * import { existsSync } from 'node:fs'
 * import { basename, dirname } from 'node:path'
 * const file = tempCassettePath('refund.cassette.json')
 * basename(file) // → 'refund.cassette.json'
 * existsSync(dirname(file)) // → true
 * existsSync(file) // → false
 */
export function tempCassettePath(name = 'run.cassette.json'): string {
  return join(mkdtempSync(join(tmpdir(), 'retrace-test-')), name)
}
