import type { FetchInput } from '../captured-request.ts'
import type { RetraceError } from '@retrace/cassettes'
import { replayFetchResponse } from '../../replay/replay-fetch-response.ts'
import { networkErrorOf } from '../../replay/replayed-body-errors.ts'
import { egressRefusal } from '../egress-policy.ts'
import { admitRequest } from '../interaction-observers.ts'
import { closingFetchInit } from '../live-connection.ts'
import { isBypassed, withoutInterception } from '../session-routing.ts'
import type { RequestResolver } from '../glossary.ts'
import { readFetchCall } from './fetch-request.ts'
import { liveFetch } from './live-fetch.ts'

/**
 * Wraps a fetch implementation so calls made while a cassette is active are replayed,
 * recorded or refused by it. `pickSession` decides which cassette (the current one for the
 * global `fetch`, a fixed one for `handle.fetch`); with none, the call goes through as is.
 *
 * @example
 * globalThis.fetch = createInterceptedFetch(originalFetch, currentSession)
 */
export function createInterceptedFetch(original: typeof fetch, pickSession: () => RequestResolver | undefined): typeof fetch {
  return async function retraceFetch(input: FetchInput, init?: RequestInit): Promise<Response> {
    if (isBypassed()) return original(input, init)
    // One microtask before choosing the cassette: in `expect(runAgent()).toMatchCassette()`
    // the agent starts before the matcher, and its first request must still find it.
    await undefined
    const session = pickSession()
    if (!session) {
      const refusal = egressRefusal(init?.method ?? (input instanceof Request ? input.method : 'GET'), input instanceof Request ? input.url : String(input))
      if (refusal) throw refusal
    }
    if (!session) return withoutInterception(() => original(input, init))
    if (session.mode === 'passthrough') return withoutInterception(() => original(input, closingFetchInit(input, init)))
    const call = await readFetchCall(input, init)
    const gate = admitRequest(call.request)
    const refusal = gate instanceof Promise ? await gate : gate
    if (refusal) return refuse(refusal, call.request.headers)
    const resolution = session.resolve(call.request)
    if (resolution.kind === 'replay') {
      if (call.signal?.aborted) throw call.signal.reason
      if (resolution.source.networkError) throw networkErrorOf(resolution.source.networkError)
      return replayFetchResponse(resolution.source, session.pacing, call.signal)
    }
    if (resolution.kind === 'blocked') return refuse(resolution.error, call.request.headers)
    return liveFetch(original, call, resolution.slot, session)
  }
}

/**
 * Delivers a refusal (a replay mismatch, a blocked host, a run budget). Plain fetch callers
 * get a rejected promise. Stainless-generated
 * SDKs (openai, @anthropic-ai/sdk) would retry a rejected fetch with back-off and then hide
 * our message behind "Connection error."; for them the refusal arrives as a response whose
 * body fails with the same error, which those SDKs re-throw unchanged and never retry.
 */
function refuse(error: Error, headers: Record<string, string>): Promise<Response> {
  if (!('x-stainless-retry-count' in headers || 'x-stainless-lang' in headers)) return Promise.reject(error)
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(error)
    },
  })
  return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'x-retrace-refused': (error as RetraceError).code ?? error.name } }))
}
