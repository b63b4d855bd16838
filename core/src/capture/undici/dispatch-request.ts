import { headerRecord, type CapturedRequest, type HeaderSource } from '../captured-request.ts'
import type { DispatchOptions } from './dispatcher-types.ts'

/**
 * Reads a dispatch call as a captured request. Stream bodies (async iterables, Node
 * streams) are consumed, so the returned options carry the buffered bytes for a live call.
 *
 * @example
 * const { request } = await readDispatch({ origin: 'https://api.openai.com', path: '/v1/responses?x=1', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: (async function* () { yield '{"model":'; yield '"gpt-4o"}' })() })
 * request.url // → 'https://api.openai.com/v1/responses?x=1'
 * Buffer.from(request.body as Uint8Array).toString() // → '{"model":"gpt-4o"}'
 */
export async function readDispatch(options: DispatchOptions): Promise<{ request: CapturedRequest; options: DispatchOptions }> {
  const origin = options.origin instanceof URL ? options.origin.origin : (options.origin ?? '')
  const url = new URL(options.path, origin).href
  const headers = headerRecord(toHeaderSource(options.headers))
  const raw = options.body
  let body: string | Uint8Array | undefined
  let live = options
  if (raw === null || raw === undefined) body = undefined
  else if (typeof raw === 'string' || raw instanceof Uint8Array) body = raw
  else {
    const chunks: Uint8Array[] = []
    if (Symbol.asyncIterator in raw) {
      for await (const chunk of raw as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    } else {
      for (const chunk of raw as Iterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    }
    body = Buffer.concat(chunks)
    live = { ...options, body }
  }
  return { request: { method: options.method, url, headers, body }, options: live }
}

function toHeaderSource(headers: DispatchOptions['headers']): HeaderSource {
  if (!headers || Array.isArray(headers) || typeof (headers as Iterable<unknown>)[Symbol.iterator] !== 'function') return headers as HeaderSource
  return [...(headers as Iterable<[string, string]>)]
}
