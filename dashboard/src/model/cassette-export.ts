import type { Cassette, Interaction } from '@retrace/cassettes'

/**
 * A format-v1 cassette holding one interaction of a pushed cassette: the recorded request
 * and response exactly as stored (already redacted when recorded), with the original's
 * `meta`, so it replays that one call under `toMatchCassette()` or `startCassette()`.
 *
 * @example
 * const text = singleInteractionCassette(cassette, 2) // the third call, as a cassette
 */
export function singleInteractionCassette(cassette: Cassette, index: number): string {
  const interaction = cassette.interactions[index]
  if (!interaction) throw new RangeError(`The cassette has no interaction ${index + 1} (it has ${cassette.interactions.length}).`)
  const single: Cassette = { version: 1, ...(cassette.meta ? { meta: cassette.meta } : {}), interactions: [interaction] }
  return `${JSON.stringify(single, null, 2)}\n`
}

/** The interaction index a span of a pushed cassette carries (`metadata.interaction`). */
export function interactionIndex(metadata: Record<string, unknown> | undefined): number | undefined {
  const value = metadata?.interaction
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
}

export type { Cassette, Interaction }
