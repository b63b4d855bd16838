import { formatJsonPath, describeJsonError } from '@retrace/cassettes'
import type { z } from 'zod'
import { InteropInputError, type InteropFormat } from './interop-input-error.ts'

/** Where foreign data came from, for error messages. */
export interface InputSource {
  readonly format: InteropFormat
  /** A file name or label, e.g. `recording.har`. */
  readonly source: string
}

/**
 * Parses JSON text, reporting a syntax error with its line and column.
 *
 * @example
 * import assert from 'node:assert/strict'
 * import { InteropInputError } from './interop-input-error.ts'
 * parseJsonInput('{ "log": { "entries": [] } }', { format: 'har', source: 'run.har' }) // → { log: { entries: [] } }
 * assert.throws(() => parseJsonInput('{ "log": ', { format: 'har', source: 'run.har' }), InteropInputError)
 */
export function parseJsonInput(text: string, input: InputSource, field?: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new InteropInputError({
      ...input,
      ...(field ? { field } : {}),
      problem: `it is not valid JSON (${describeJsonError(error, text)}).`,
      hint: input.format === 'har' ? 'Export the HAR again from the browser or tool that made it.' : 'Check that this is the right file and that it was written completely.',
    })
  }
}

/**
 * Validates foreign data against its zod schema; the first problem becomes an
 * `InteropInputError` naming the field by JSON path (after `prefix`, e.g. `line 3`).
 *
 * @example
 * import assert from 'node:assert/strict'
 * import { z } from 'zod'
 * import { InteropInputError } from './interop-input-error.ts'
 * const Schema = z.object({ log: z.object({ entries: z.array(z.unknown()) }) })
 * validateInput(Schema, { log: { entries: [] } }, { format: 'har', source: 'run.har' }) // → { log: { entries: [] } }
 * assert.throws(() => validateInput(Schema, { log: {} }, { format: 'har', source: 'run.har' }), (error: InteropInputError) => error.message.includes('$.log.entries'))
 */
export function validateInput<Schema extends z.ZodType>(schema: Schema, data: unknown, input: InputSource, prefix?: string): z.output<Schema> {
  const result = schema.safeParse(data)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const path = formatJsonPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'))
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : ''
  throw new InteropInputError({
    ...input,
    field: prefix ? `${prefix}: ${path}` : path,
    problem: `${issue.message}${more}.`,
    hint: 'Fix that field, or check that the file really is in this format. Nothing was written.',
  })
}

