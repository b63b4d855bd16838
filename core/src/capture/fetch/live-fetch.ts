import type { FetchHeadersInit } from '../captured-request.ts'
import { withStreamUsage } from '../../recording/stream-usage-injection.ts'
import type { RecordingSlot } from '../../session/recording-slot.ts'
import { withoutInterception } from '../session-routing.ts'
import type { FetchCall } from './fetch-request.ts'
import { recordFetchResponse } from './record-fetch-response.ts'

/**
 * Makes a call live with the original fetch (interception off for it), recording the
 * exchange into `slot` when there is one. With `injectStreamUsage`, an OpenAI streamed chat
 * completion is sent asking for usage, and the caller gets the stream without that chunk.
 *
 * @example
 * const response = await liveFetch(originalFetch, call, slot, true)
 */
export async function liveFetch(original: typeof fetch, call: FetchCall, slot: RecordingSlot | undefined, injectStreamUsage: boolean): Promise<Response> {
  if (!slot) return withoutInterception(() => original(call.input, call.init))
  const body = typeof call.request.body === 'string' ? call.request.body : undefined
  const withUsage = injectStreamUsage ? withStreamUsage(call.request.url, body) : undefined
  const init = withUsage === undefined ? call.init : { ...call.init, body: withUsage, headers: withoutContentLength(call.init?.headers) }
  let response: Response
  try {
    response = await withoutInterception(() => original(call.input, init))
  } catch (error) {
    slot.networkError(error)
    throw error
  }
  return recordFetchResponse(response, slot, withUsage !== undefined)
}

function withoutContentLength(headers: FetchHeadersInit | undefined): Headers {
  const copy = new Headers(headers)
  copy.delete('content-length')
  return copy
}

