import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CassetteFormatError } from '../errors/cassette-format-error.ts'
import { CassetteSecretError } from '../errors/cassette-secret-error.ts'
import type { Cassette } from '../schema/cassette.ts'
import { findSecrets } from '../secrets/find-secrets.ts'
import { parseCassette } from './parse-cassette.ts'
import { serializeCassette } from './serialize-cassette.ts'

/**
 * Reads and validates a cassette file. Returns `undefined` when the file does not exist;
 * throws `CassetteFormatError` (file untouched) when it exists but cannot be used.
 *
 * @example
 * const cassette = readCassetteFile('__cassettes__/agent.cassette.json')
 * if (!cassette) console.log('not recorded yet')
 */
export function readCassetteFile(file: string): Cassette | undefined {
  if (!existsSync(file)) return undefined
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new CassetteFormatError({
      file,
      problem: 'unreadable',
      detail: `it could not be read (${(error as Error).message}).`,
      hint: 'Check the file permissions, or that the path is a file and not a folder.',
      cause: error,
    })
  }
  return parseCassette(text, file)
}

/** Options for {@link writeCassetteFile}. */
export interface WriteCassetteOptions {
  /** Run the secret scan before writing (default true). Turning it off is for tests of the scan itself. */
  scanForSecrets?: boolean
}

/**
 * Writes a cassette atomically (a temporary file in the same folder, then a rename), so a
 * crash mid-write never leaves a half-written cassette. Refuses with `CassetteSecretError`
 * when a secret-shaped string survived redaction. An unchanged file is not rewritten.
 *
 * @example
 * await writeCassetteFile('__cassettes__/agent.cassette.json', cassette)
 * @returns whether the file on disk changed.
 */
export async function writeCassetteFile(file: string, cassette: Cassette, options: WriteCassetteOptions = {}): Promise<boolean> {
  if (options.scanForSecrets !== false) {
    const findings = findSecrets(cassette)
    if (findings.length > 0) throw new CassetteSecretError(file, findings)
  }
  const text = serializeCassette(cassette)
  const previous = await readFile(file, 'utf8').catch(() => undefined)
  if (previous === text) return false
  await writeFileAtomically(file, text)
  return true
}

/**
 * Writes text through a temporary file in the same folder and a rename, so a reader (or a
 * crash) never sees half a file; creates the folder when needed.
 *
 * @example
 * await writeFileAtomically('exports/run.har', JSON.stringify(har, null, 2))
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(temporary, text, 'utf8')
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
