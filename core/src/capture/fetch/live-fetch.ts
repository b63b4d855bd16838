import type { FetchHeadersInit } from '../captured-request.ts'
import type { ExchangeRecording, RequestResolver } from '../glossary.ts'
import { withStreamUsage } from '../../recording/stream-usage-injection.ts'
import { closingFetchInit } from '../live-connection.ts'
import { withoutInterception } from '../session-routing.ts'
import type { FetchCall } from './fetch-request.ts'
import { recordFetchResponse } from './record-fetch-response.ts'

/**
 * Makes a call live with the original fetch (interception off for it), recording the
 * exchange into `slot` when there is one. With the session's `injectStreamUsage`, an OpenAI
 * streamed chat completion is sent asking for usage, and the caller gets the stream without
 * that chunk; with `closesLiveConnections`, the connection closes once answered.
 *
 * @example
 * const response = await liveFetch(originalFetch, call, slot, session)
 */
export async function liveFetch(
  original: typeof fetch,
  call: FetchCall,
  slot: ExchangeRecording | undefined,
  session: Pick<RequestResolver, 'injectStreamUsage' | 'closesLiveConnections'>,
): Promise<Response> {
  const closing = (init: RequestInit | undefined) => (session.closesLiveConnections ? closingFetchInit(call.input, init) : init)
  if (!slot) return withoutInterception(() => original(call.input, closing(call.init)))
  const body = typeof call.request.body === 'string' ? call.request.body : undefined
  const withUsage = session.injectStreamUsage ? withStreamUsage(call.request.url, body) : undefined
  const init = closing(withUsage === undefined ? call.init : { ...call.init, body: withUsage, headers: withoutContentLength(call.init?.headers) })
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

