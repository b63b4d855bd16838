import type { Cassette, Interaction } from '@retrace/cassettes'

/**
 * A format-v1 cassette holding one recorded call: the request and response exactly as
 * stored (already redacted when recorded), with the original cassette's `meta` when there
 * is one, so it replays that one call under `toMatchCassette()` or `startCassette()`.
 *
 * @example
 * const interaction = { request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {} }, response: { status: 200, headers: {}, body: { json: { ok: true } } } }
 * const text = singleInteractionCassette(interaction, { recordedAt: '2026-03-01T10:00:00.000Z' })
 * JSON.parse(text) // → { version: 1, meta: { recordedAt: '2026-03-01T10:00:00.000Z' }, interactions: [interaction] }
 * text.endsWith('}\n') // → true
 */
export function singleInteractionCassette(interaction: Interaction, meta?: Cassette['meta']): string {
  const single: Cassette = { version: 1, ...(meta ? { meta } : {}), interactions: [interaction] }
  return `${JSON.stringify(single, null, 2)}\n`
}

/**
 * The HTTP exchange an LLM span carries: streamed by the SDK (`span.interaction`, PROTOCOL
 * §3 since the Fork & Replay release), else undefined (a pushed cassette keeps them in the
 * cassette, by `metadata.interaction`).
 *
 * @example
 * const interaction = { request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {} }, response: { status: 200, headers: {}, body: { json: { ok: true } } } }
 * spanInteraction({ id: 's1', kind: 'llm', interaction }) // → interaction
 * spanInteraction({ id: 's1', kind: 'llm', metadata: { interaction: 0 } }) // → undefined
 */
export function spanInteraction(span: object): Interaction | undefined {
  const value = (span as { interaction?: unknown }).interaction
  return typeof value === 'object' && value !== null && 'request' in value ? (value as Interaction) : undefined
}

/**
 * The interaction index a span of a pushed cassette carries (`metadata.interaction`).
 *
 * @example
 * interactionIndex({ interaction: 2 }) // → 2
 * interactionIndex({ interaction: -1 }) // → undefined
 * interactionIndex(undefined) // → undefined
 */
export function interactionIndex(metadata: Record<string, unknown> | undefined): number | undefined {
  const value = metadata?.interaction
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
}

export type { Cassette, Interaction }
