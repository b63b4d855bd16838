import { CassetteFormatError } from '../errors/cassette-format-error.ts'
import { formatJsonPath } from '../json/json-path.ts'
import { CASSETTE_VERSION, CassetteSchema, type Cassette } from '../schema/cassette.ts'
import { checkJsonStructure } from './check-json-structure.ts'
import { jsonPathAt, textPosition } from './text-position.ts'

const RESTORE_HINT = 'Fix that field by hand, restore the file from git (`git checkout -- <file>`), or delete it and record again. The file was not changed.'

/**
 * Parses and validates cassette text: JSON, then what `JSON.parse` lets through silently
 * (duplicate keys, numbers beyond a double, nesting too deep to process), then the version,
 * then the schema. Every failure is a `CassetteFormatError` naming the file, the JSON path
 * (and line, when known) and the fix; schema failures list every offending field in `issues`.
 * This is the one check behind replay, `readCassetteFile` and `retrace cassette lint`.
 *
 * @example
 * const cassette = parseCassette('{ "version": 1, "interactions": [] }', 'agent.cassette.json')
 * cassette.interactions // → []
 * try {
 *   parseCassette('{ "version": 9, "interactions": [] }', 'agent.cassette.json')
 * } catch (error) {
 *   ;(error as CassetteFormatError).problem // → 'newer-version'
 * }
 */
export function parseCassette(text: string, file: string): Cassette {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    const offset = jsonErrorOffset(error instanceof Error ? error.message : String(error), text)
    const path = offset === undefined ? '$' : jsonPathAt(text, offset)
    const position = offset === undefined ? undefined : textPosition(text, offset)
    throw new CassetteFormatError({
      file,
      problem: 'invalid-json',
      path,
      ...(position ? { line: position.line, column: position.column } : {}),
      detail: `it is not valid JSON (${describeJsonError(error, text)}${path === '$' ? '' : `, in ${path}`}).`,
      hint: 'If a merge conflict or a hand edit broke it, fix it or restore it from git (`git checkout -- <file>`); otherwise delete it and record again.',
      cause: error,
    })
  }
  const structure = checkJsonStructure(raw, text)
  if (structure) {
    throw new CassetteFormatError({
      file,
      problem: structure.problem,
      path: structure.path,
      ...(structure.position ? { line: structure.position.line, column: structure.position.column } : {}),
      detail: `${structure.detail}.`,
      hint: structure.hint,
    })
  }
  const version = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { version?: unknown }).version : undefined
  if (version === undefined) {
    throw new CassetteFormatError({
      file,
      problem: 'missing-version',
      detail: 'it has no "version" field, so it is not a Retrace cassette.',
      hint: `Retrace cassettes start with "version": ${CASSETTE_VERSION}. Point Retrace at a different file name, or delete this file and record again.`,
    })
  }
  if (typeof version === 'number' && version > CASSETTE_VERSION) {
    throw new CassetteFormatError({
      file,
      problem: 'newer-version',
      path: '$.version',
      detail: `it uses cassette format v${version}, and this Retrace reads up to v${CASSETTE_VERSION}.`,
      hint: 'Upgrade the @retrace/* packages to the version that wrote it. The file was not changed.',
    })
  }
  const result = CassetteSchema.safeParse(raw)
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: formatJsonPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol')),
      // A refused record key (a header name) carries the key schema's own message inside.
      message: issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message,
    }))
    const first = issues[0]!
    throw new CassetteFormatError({
      file,
      problem: 'invalid-schema',
      path: first.path,
      issues,
      detail: `${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : ''}.`,
      hint: RESTORE_HINT,
    })
  }
  return result.data
}

/**
 * Describes a `JSON.parse` failure with the line and column where it happened, whichever way
 * V8 reported it.
 *
 * @example
 * const text = '{\n  "version": 1,\n  "interactions": ['
 * let error: unknown
 * try {
 *   JSON.parse(text)
 * } catch (thrown) {
 *   error = thrown
 * }
 * describeJsonError(error, text) // → 'line 3, column 20: Unexpected end of JSON input'
 */
export function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const offset = jsonErrorOffset(message, text)
  const reason = message.replace(/ in JSON at position.*$/, '').replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
  if (offset === undefined) return reason
  return `${textPosition(text, offset).label}: ${reason}`
}

/**
 * Where V8 says the JSON went wrong: its "at position N" when present, the end of the text for
 * "Unexpected end", or else the quoted context it gives ("…snippet…" is not valid JSON),
 * found in the text.
 */
function jsonErrorOffset(message: string, text: string): number | undefined {
  const position = /position (\d+)/.exec(message)
  if (position) return Number(position[1])
  if (/Unexpected end/.test(message)) return text.length
  const context = /"(?:\.\.\.)?([\s\S]*?)(?:\.\.\.)?" is not valid JSON/.exec(message)
  const token = /Unexpected token '(.)'/.exec(message)?.[1]
  if (!context || !context[1]) return undefined
  const at = text.indexOf(context[1])
  if (at < 0) return undefined
  const within = token ? context[1].indexOf(token) : 0
  return at + Math.max(0, within)
}
