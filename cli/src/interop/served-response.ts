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
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const served = servedResponse(cassette.interactions[0]!)
 * served.kind // → 'response'
 * served.kind === 'response' && served.status // → 200
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
