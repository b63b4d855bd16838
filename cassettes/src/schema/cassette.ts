import { z } from 'zod'
import { JsonValueSchema } from './body.ts'
import { InteractionSchema } from './interaction.ts'

/** The cassette format version this release reads and writes. */
export const CASSETTE_VERSION = 1

export const CassetteMetaSchema = z.looseObject({
  /** Which tool wrote the file, e.g. `@retrace/core 0.1.0`. */
  recorder: z.string().optional(),
})

/**
 * What the recorded run itself produced, for golden comparisons: the agent's return value
 * (or the error it threw) and the test that recorded it.
 */
export const RecordedRunSchema = z.looseObject({
  /** The run's return value, converted to JSON (see `toJsonValue`). */
  result: JsonValueSchema.optional(),
  /** Set instead of `result` when the run threw. */
  error: z.looseObject({ name: z.string(), message: z.string() }).optional(),
  /** The test that recorded it: file relative to the cassette's folder, and full test name. */
  test: z.looseObject({ file: z.string(), name: z.string() }).optional(),
  /**
   * For a standalone golden cassette (written by `writeGoldenCassette`): the function that
   * produced the run, so `retrace ci replay` can run it again offline with the same input.
   * `module` is relative to the cassette's folder; `input` holds the arguments.
   */
  entry: z.looseObject({ module: z.string(), export: z.string(), input: z.array(JsonValueSchema) }).optional(),
})

/**
 * A cassette: every interaction of one recorded run, in the order they completed their
 * request. Unknown fields are kept (never dropped on rewrite) so newer minor additions
 * survive an older reader.
 */
export const CassetteSchema = z.looseObject({
  version: z.literal(CASSETTE_VERSION),
  meta: CassetteMetaSchema.optional(),
  /** The golden run's outcome (written by the test matchers and `writeGoldenCassette`). */
  run: RecordedRunSchema.optional(),
  interactions: z.array(InteractionSchema),
})

export type CassetteMeta = z.infer<typeof CassetteMetaSchema>
export type RecordedRun = z.infer<typeof RecordedRunSchema>
export type Cassette = z.infer<typeof CassetteSchema>
