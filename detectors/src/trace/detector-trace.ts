import { z } from 'zod'
import { formatJsonPath } from '@retrace/cassettes'
import { WireSpanSchema, WireTraceEndSchema, WireTraceStartSchema } from '@retrace/protocol'
import { DetectorTraceError } from '../errors/detector-errors.ts'

/** The version of the trace file format (`*.trace.json`). */
export const TRACE_FILE_VERSION = 1

/**
 * A trace as the detectors read it: the wire protocol's `trace.start`, its spans (any order)
 * and, once it ended, its `trace.end`. A server has exactly this for a stored trace; a
 * `*.trace.json` file (what `retrace import who-and-when` writes) is this object as JSON.
 */
export const DetectorTraceSchema = z.object({
  /** The trace file format version; absent on traces built in memory. */
  version: z.literal(TRACE_FILE_VERSION).optional(),
  trace: WireTraceStartSchema,
  spans: z.array(WireSpanSchema),
  end: WireTraceEndSchema.optional(),
})
export type DetectorTrace = z.infer<typeof DetectorTraceSchema>

/**
 * Validates a trace for the detectors. A bad one is a `DetectorTraceError` naming the first
 * offending field and the fix, never a zod stack.
 *
 * @example
 * import assert from 'node:assert/strict'
 * import { DetectorTraceError } from '../errors/detector-errors.ts'
 * const text = '{ "trace": { "id": "t1", "name": "run", "startedAt": "2025-01-31T09:00:00.000Z" }, "spans": [] }'
 * parseDetectorTrace(JSON.parse(text), 'run.trace.json').trace.id // → 't1'
 * assert.throws(() => parseDetectorTrace({ trace: { id: 't1' }, spans: [] }, 'run.trace.json'), DetectorTraceError)
 */
export function parseDetectorTrace(value: unknown, source = 'the trace'): DetectorTrace {
  const result = DetectorTraceSchema.safeParse(value)
  if (result.success) {
    const spanIds = new Set<string>()
    for (const [index, span] of result.data.spans.entries()) {
      if (spanIds.has(span.id)) {
        throw new DetectorTraceError({
          source,
          field: `$.spans[${index}].id`,
          detail: `two spans have the id "${span.id}" ($.spans[${index}].id).`,
          hint: 'Span ids must be unique within a trace; give each span its own id.',
        })
      }
      spanIds.add(span.id)
    }
    return result.data
  }
  const issue = result.error.issues[0]!
  const field = formatJsonPath(issue.path.filter((p): p is string | number => typeof p !== 'symbol'))
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined
  if (typeof version === 'number' && version > TRACE_FILE_VERSION) {
    throw new DetectorTraceError({
      source,
      field: '$.version',
      detail: `it uses trace format v${version}, and this Retrace reads up to v${TRACE_FILE_VERSION}.`,
      hint: 'Upgrade the @retrace/* packages to the version that wrote it.',
    })
  }
  throw new DetectorTraceError({
    source,
    field,
    detail: `${field}: ${issue.message}.`,
    hint: 'A trace is { "trace": <trace.start>, "spans": [<span>, …], "end"?: <trace.end> } as the wire protocol defines them (@retrace/protocol); regenerate the file (for example with `retrace import who-and-when`) or fix that field.',
    cause: result.error,
  })
}
