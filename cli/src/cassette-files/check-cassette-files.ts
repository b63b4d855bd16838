import { detectSecret, findSecrets, inspectCassetteFile, type Cassette, type CassetteFormatError, type SecretFinding } from '@retrace/cassettes'

/** What a cassette file looks like to the linter. */
export interface CassetteCheck {
  file: string
  /** The parsed cassette, when the file is valid. */
  cassette?: Cassette
  /** Why the file cannot be used (not a file, not UTF-8, invalid JSON, wrong schema, newer format): the error's message. */
  invalid?: string
  /** The same reason as the typed error replay throws, with its JSON path and every issue. */
  error?: CassetteFormatError
  /** Secret-shaped strings, by JSON path. */
  secrets: SecretFinding[]
}

/**
 * Validates each cassette file with the same check replay uses (`inspectCassetteFile`), so
 * lint and replay always agree, and scans it for secrets. A file that does not parse is
 * still scanned as text: a corrupt cassette holding a key is still a leak. A file that
 * vanished since it was listed is reported as invalid.
 *
 * @example
 * const checks = checkCassetteFiles(findCassetteFiles(['.']))
 * const leaks = checks.filter((check) => check.secrets.length)
 */
export function checkCassetteFiles(files: readonly string[]): CassetteCheck[] {
  return files.map((file) => {
    const inspection = inspectCassetteFile(file)
    if (inspection.missing) return { file, invalid: `Cassette ${file} is not usable: it no longer exists.`, secrets: [] }
    if (inspection.cassette) return { file, cassette: inspection.cassette, secrets: findSecrets(inspection.cassette) }
    const kind = inspection.text === undefined ? undefined : detectSecret(inspection.text)
    const error = inspection.error!
    return { file, invalid: error.message, error, secrets: kind ? [{ path: '(file text)', kind }] : [] }
  })
}
