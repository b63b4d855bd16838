import { serializeSseEvent, type BodyEnd, type Interaction, type NetworkError } from '@retrace/cassettes'
import { bodyText } from '../recording/body-codec.ts'
import { callerDidNotAskForUsage, isUsageOnlyChunk } from '../recording/stream-usage-injection.ts'

/** A chunk of body bytes and when (ms after the headers) it was received. */
export interface ReplayChunk {
  t: number
  bytes: Uint8Array
}

/**
 * A recorded response prepared for serving: headers as pairs, the body as ready-made bytes
 * (one chunk per server-sent event), computed once per interaction and shared by every
 * transport (fetch, undici, node:http) and every replay of it.
 */
export interface ReplaySource {
  url: string
  status: number
  statusText: string
  headers: Array<[string, string]>
  /** The whole body when it is not a stream (the fast path: no ReadableStream needed). */
  whole: string | Uint8Array | undefined
  /** Server-sent events, one chunk each, with their recorded offsets. */
  chunks: ReplayChunk[] | undefined
  /** Set when the body was cut short when recorded. */
  end: BodyEnd | undefined
  /** Set when the request got no response at all. */
  networkError: NetworkError | undefined
  latencyMs: number
}

const cache = new WeakMap<Interaction, ReplaySource>()
const encoder = new TextEncoder()
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/**
 * The replay form of an interaction, cached: a cassette served ten thousand times builds its
 * bytes once.
 *
 * @example
 * const source = replaySourceOf(cassette.interactions[0])
 */
export function replaySourceOf(interaction: Interaction): ReplaySource {
  let source = cache.get(interaction)
  if (!source) {
    source = buildReplaySource(interaction)
    cache.set(interaction, source)
  }
  return source
}

function buildReplaySource(interaction: Interaction): ReplaySource {
  const response = interaction.response
  const latencyMs = interaction.timing?.latencyMs ?? 0
  if (!response) {
    return {
      url: interaction.request.url,
      status: 0,
      statusText: '',
      headers: [],
      whole: undefined,
      chunks: undefined,
      end: undefined,
      networkError: interaction.error ?? { message: 'The recorded request got no response.' },
      latencyMs,
    }
  }
  const body = response.body
  const isStream = body !== undefined && 'sse' in body
  const hideUsage = isStream && callerDidNotAskForUsage(interaction)
  return {
    url: interaction.request.url,
    status: response.status,
    statusText: response.statusText ?? '',
    headers: Object.entries(response.headers),
    whole: isStream || NULL_BODY_STATUSES.has(response.status) ? undefined : bodyText(body),
    chunks: isStream
      ? body.sse.filter((event) => !(hideUsage && isUsageOnlyChunk(event))).map((event) => ({ t: event.t, bytes: encoder.encode(serializeSseEvent(event)) }))
      : undefined,
    end: response.end,
    networkError: undefined,
    latencyMs,
  }
}
