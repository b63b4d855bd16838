import type { BodyEnd, Interaction, NetworkError } from '@retrace/cassettes'
import { replaySourceOf } from '@retrace/core/internal'

/** What Retrace's replay serves for an interaction, in a form mock libraries can be given. */
export type ServedResponse =
  | { readonly kind: 'network-error'; readonly error: NetworkError; readonly latencyMs: number }
  | {
      readonly kind: 'response'
      readonly status: number
      readonly statusText: string
      readonly headers: ReadonlyArray<readonly [string, string]>
      /** The whole body (undefined for a stream or a status that has none). */
      readonly body: string | Uint8Array | undefined
      /** Server-sent events, one chunk each with its offset, as replay paces them. */
      readonly events: ReadonlyArray<{ readonly t: number; readonly text: string }> | undefined
      readonly end: BodyEnd | undefined
      readonly latencyMs: number
    }

const decoder = new TextDecoder()

/**
 * The response replay would serve, byte for byte (including hiding the usage-only chunk the
 * recorder asked OpenAI for when the caller did not), so exported mocks answer exactly as a
 * Retrace replay does.
 *
 * @example
 * const served = servedResponse(cassette.interactions[0])
 * if (served.kind === 'response') console.log(served.status)
 */
export function servedResponse(interaction: Interaction): ServedResponse {
  const source = replaySourceOf(interaction)
  if (source.networkError) return { kind: 'network-error', error: source.networkError, latencyMs: source.latencyMs }
  return {
    kind: 'response',
    status: source.status,
    statusText: source.statusText,
    headers: source.headers,
    body: source.whole === '' ? undefined : source.whole,
    events: source.chunks?.map((chunk) => ({ t: chunk.t, text: decoder.decode(chunk.bytes) })),
    end: source.end,
    latencyMs: source.latencyMs,
  }
}
