import { z } from 'zod'
import { InteractionSchema } from './interaction.ts'

/** The cassette format version this release reads and writes. */
export const CASSETTE_VERSION = 1

export const CassetteMetaSchema = z.looseObject({
  /** Which tool wrote the file, e.g. `@retrace/core 0.1.0`. */
  recorder: z.string().optional(),
})

/**
 * A cassette: every interaction of one recorded run, in the order they completed their
 * request. Unknown fields are kept (never dropped on rewrite) so newer minor additions
 * survive an older reader.
 */
export const CassetteSchema = z.looseObject({
  version: z.literal(CASSETTE_VERSION),
  meta: CassetteMetaSchema.optional(),
  interactions: z.array(InteractionSchema),
})

export type CassetteMeta = z.infer<typeof CassetteMetaSchema>
export type Cassette = z.infer<typeof CassetteSchema>
