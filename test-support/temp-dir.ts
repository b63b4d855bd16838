import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh folder for a test's cassettes. */
export function tempCassettePath(name = 'run.cassette.json'): string {
  return join(mkdtempSync(join(tmpdir(), 'retrace-test-')), name)
}
