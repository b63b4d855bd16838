import { CassetteFormatError } from '../errors/cassette-format-error.ts'
import { CassetteSecretError } from '../errors/cassette-secret-error.ts'
import type { Cassette } from '../schema/cassette.ts'
import { findSecrets } from '../secrets/find-secrets.ts'
import { writeFileAtomically } from './atomic-write.ts'
import { checkJsonStructure } from './check-json-structure.ts'
import { parseCassette } from './parse-cassette.ts'
import { readCassetteText } from './read-cassette-text.ts'
import { serializeCassette } from './serialize-cassette.ts'

/** What a cassette file holds, as replay and `retrace cassette lint` both see it. */
export interface CassetteFileInspection {
  file: string
  /** True when nothing is at the path (replay records it; lint has nothing to check). */
  missing: boolean
  /** The validated cassette, when the file is usable. */
  cassette?: Cassette
  /** Why the file is not usable. */
  error?: CassetteFormatError
  /** The file's text when it could be read (lossy where it is not UTF-8), for a secret scan of a broken file. */
  text?: string
}

/**
 * Reads and validates a cassette file without throwing: the one check behind replay
 * (`readCassetteFile`, `startCassette`) and `retrace cassette lint`, so both always reach the
 * same verdict. Never blocks on a FIFO or a device, never reads a folder as empty.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const file = join(mkdtempSync(join(tmpdir(), 'cassettes-')), 'agent.cassette.json')
 * inspectCassetteFile(file) // → { file, missing: true }
 * writeFileSync(file, '{ "version": 1, "interactions": [] ')
 * const { cassette, error } = inspectCassetteFile(file)
 * cassette // → undefined
 * error?.problem // → 'invalid-json'
 */
export function inspectCassetteFile(file: string): CassetteFileInspection {
  const read = readCassetteText(file)
  if (read.kind === 'missing') return { file, missing: true }
  if (read.kind === 'error') return { file, missing: false, error: read.error, ...(read.text === undefined ? {} : { text: read.text }) }
  try {
    return { file, missing: false, cassette: parseCassette(read.text, file), text: read.text }
  } catch (error) {
    if (error instanceof CassetteFormatError) return { file, missing: false, error, text: read.text }
    throw error
  }
}

/**
 * Reads and validates a cassette file. Returns `undefined` when the file does not exist;
 * throws `CassetteFormatError` (file untouched) when it exists but cannot be used: not a
 * regular file, not UTF-8, not JSON, a duplicate key, a number beyond a double, nesting too
 * deep, or a field the schema refuses. The error names the file, the JSON path and the fix.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const file = join(mkdtempSync(join(tmpdir(), 'cassettes-')), 'agent.cassette.json')
 * readCassetteFile(file) // → undefined
 * writeFileSync(file, '{ "version": 1, "interactions": [] }')
 * readCassetteFile(file) // → { version: 1, interactions: [] }
 */
export function readCassetteFile(file: string): Cassette | undefined {
  const inspection = inspectCassetteFile(file)
  if (inspection.error) throw inspection.error
  return inspection.cassette
}

/** Options for {@link writeCassetteFile}. */
export interface WriteCassetteOptions {
  /** Run the secret scan before writing (default true). Turning it off is for tests of the scan itself. */
  scanForSecrets?: boolean
}

/**
 * Writes a cassette atomically (a temporary file in the same folder, then a rename), so a
 * crash mid-write never leaves a half-written cassette. Refuses with `CassetteSecretError`
 * when a secret-shaped string survived redaction, and with `CassetteFormatError` when a value
 * could not be read back (nested deeper than `MAX_CASSETTE_DEPTH`, or a non-finite number
 * JSON would write as `null`); either way the previous file is kept. An unchanged file is not
 * rewritten.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const file = join(mkdtempSync(join(tmpdir(), 'cassettes-')), 'agent.cassette.json')
 * const cassette = { version: 1 as const, interactions: [{ request: { method: 'GET', url: 'https://api.example.com/health', headers: {} }, response: { status: 200, headers: {}, body: { json: { ok: true } } } }] }
 * await writeCassetteFile(file, cassette) // → true
 * await writeCassetteFile(file, cassette) // → false
 * readCassetteFile(file)?.interactions.length // → 1
 * @returns whether the file on disk changed.
 */
export async function writeCassetteFile(file: string, cassette: Cassette, options: WriteCassetteOptions = {}): Promise<boolean> {
  const structure = checkJsonStructure(cassette)
  if (structure) {
    throw new CassetteFormatError({
      file,
      problem: structure.problem,
      path: structure.path,
      detail: `refusing to write it, because it could not be read back: ${structure.detail}.`,
      hint: 'Nothing was written and the previous file is unchanged. Store a value like this as a string (recorders do so for bodies), or leave it out of the run.',
    })
  }
  if (options.scanForSecrets !== false) {
    const findings = findSecrets(cassette)
    if (findings.length > 0) throw new CassetteSecretError(file, findings)
  }
  const text = serializeCassette(cassette)
  // Never `readFile`: a FIFO at the path would block the write forever.
  const previous = readCassetteText(file)
  if (previous.kind === 'text' && previous.text === text) return false
  await writeFileAtomically(file, text)
  return true
}
