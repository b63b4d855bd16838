import { readFileSync } from 'node:fs'
import { CassetteFormatError, detectSecret, findSecrets, parseCassette, type Cassette, type SecretFinding } from '@retrace/cassettes'

/** What a cassette file looks like to the linter. */
export interface CassetteCheck {
  file: string
  /** The parsed cassette, when the file is valid. */
  cassette?: Cassette
  /** Why the file cannot be used (invalid JSON, wrong schema, newer format). */
  invalid?: string
  /** Secret-shaped strings, by JSON path. */
  secrets: SecretFinding[]
}

/**
 * Validates each cassette file and scans it for secrets. A file that does not parse is
 * still scanned as text: a corrupt cassette holding a key is still a leak.
 *
 * @example
 * const checks = checkCassetteFiles(findCassetteFiles(['.']))
 * const leaks = checks.filter((check) => check.secrets.length)
 */
export function checkCassetteFiles(files: readonly string[]): CassetteCheck[] {
  return files.map((file) => {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      return { file, invalid: `cannot be read (${(error as Error).message})`, secrets: [] }
    }
    try {
      const cassette = parseCassette(text, file)
      return { file, cassette, secrets: findSecrets(cassette) }
    } catch (error) {
      const kind = detectSecret(text)
      const invalid = error instanceof CassetteFormatError ? error.message : String(error)
      return { file, invalid, secrets: kind ? [{ path: '(file text)', kind }] : [] }
    }
  })
}
