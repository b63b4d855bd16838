import type { JsonValue } from '../json/json-value.ts'
import type { RecordedRequest } from '../schema/interaction.ts'
import { diffWords } from 'diff'
import { diffRequests, type RequestDifference } from './describe-request-diff.ts'
import { normalizeUrlForMatching, type CompiledMatchOptions } from './request-key.ts'

/** The recorded request most like a received one, and how they differ. */
export interface ClosestRequest {
  /** Index of the interaction in the cassette. */
  index: number
  request: RecordedRequest
  differences: RequestDifference[]
}

/**
 * Finds the recorded request closest to `received`: among requests to the same method and
 * endpoint (else the same origin), the one with the smallest difference, where a changed
 * string counts by the share of its words that changed, an added or removed value by the
 * number of values in it (a whole new message outweighs an edited field), and any other
 * change counts 1; ties go to the interaction at `position` (where the run is), else the
 * earliest. Returns `undefined` when the cassette never went to that origin.
 *
 * @example
 * import { compileMatchOptions } from '@retrace/cassettes'
 * const request = (content: string, model = 'gpt-4o-mini') => ({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model, messages: [{ role: 'user', content }] } } })
 * const recorded = [request('Weather in Paris?', 'gpt-4o'), request('Weather in Paris?')]
 * findClosestRequest(request('Weather in Rome?'), recorded, compileMatchOptions())?.index // → 1
 */
export function findClosestRequest(
  received: RecordedRequest,
  recorded: readonly RecordedRequest[],
  options: CompiledMatchOptions,
  position?: number,
): ClosestRequest | undefined {
  const endpoint = (request: RecordedRequest) =>
    `${request.method.toUpperCase()} ${normalizeUrlForMatching(request.url, options.ignoreQueryParams).split('?')[0]}`
  const origin = (request: RecordedRequest) => normalizeUrlForMatching(request.url).replace(/^([a-z]+:\/\/[^/]+).*$/, '$1')
  const sameEndpoint = recorded.flatMap((request, index) => (endpoint(request) === endpoint(received) ? [index] : []))
  const candidates = sameEndpoint.length > 0 ? sameEndpoint : recorded.flatMap((request, index) => (origin(request) === origin(received) ? [index] : []))
  let best: (ClosestRequest & { distance: number }) | undefined
  for (const index of candidates) {
    const request = recorded[index]!
    const differences = diffRequests(request, received, options)
    const distance = differences.reduce((sum, difference) => sum + differenceSize(difference), 0)
    if (!best || distance < best.distance || (distance === best.distance && index === position)) best = { index, request, differences, distance }
  }
  return best && { index: best.index, request: best.request, differences: best.differences }
}

function differenceSize(difference: RequestDifference): number {
  const { recorded, received } = difference
  if (difference.kind === 'added') return leafCount(received)
  if (difference.kind === 'removed') return leafCount(recorded)
  if (typeof recorded !== 'string' || typeof received !== 'string') return 1
  let changed = 0
  for (const part of diffWords(recorded, received)) if (part.added || part.removed) changed += part.value.length
  return Math.min(1, changed / Math.max(1, recorded.length + received.length))
}

function leafCount(value: JsonValue | undefined): number {
  if (Array.isArray(value)) return Math.max(1, value.reduce((sum: number, item) => sum + leafCount(item), 0))
  if (value !== null && typeof value === 'object') return Math.max(1, Object.values(value).reduce((sum: number, item) => sum + leafCount(item), 0))
  return 1
}
