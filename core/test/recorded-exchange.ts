import type { Body, BodyEnd, Interaction, JsonValue } from '@retrace/cassettes'

// Fixture builders for the step-extraction tests: an interaction as a cassette stores it,
// written as plain literals.

/** The parts of a recorded response a fixture sets (headers are irrelevant to extraction). */
export interface RecordedReply {
  readonly status: number
  readonly body?: Body
  readonly end?: BodyEnd
}

/**
 * A stored JSON body; fixtures are plain literals, so they are JSON by construction.
 *
 * @example
 * json({ id: 'msg_1' }) // { json: { id: 'msg_1' } }
 */
export const json = (value: unknown): Body => ({ json: value as JsonValue })

/**
 * A recorded POST with a JSON request body and the given reply.
 *
 * @example
 * recordedExchange('https://api.openai.com/v1/responses', request, { status: 200, body: json(reply) })
 */
export function recordedExchange(url: string, request: unknown, response: RecordedReply, extra: { headers?: Record<string, string>; latencyMs?: number } = {}): Interaction {
  return {
    request: { method: 'POST', url, headers: extra.headers ?? {}, body: { json: request as JsonValue } },
    response: { headers: {}, ...response },
    ...(extra.latencyMs === undefined ? {} : { timing: { latencyMs: extra.latencyMs } }),
  }
}
