import { headerRecord, type CapturedRequest, type FetchInput } from '../captured-request.ts'

/** A fetch call taken apart: what was asked, and how to make the same call live. */
export interface FetchCall {
  request: CapturedRequest
  signal: AbortSignal | undefined
  /** Arguments for the live call; the originals, unless a body stream had to be buffered. */
  input: FetchInput
  init: RequestInit | undefined
}

/**
 * Reads a fetch call's method, URL, headers and body without disturbing it. The common
 * case (a URL and a string body, as every LLM SDK sends) is synchronous and copies nothing;
 * `Request` objects and streamed bodies are read from a clone or buffered.
 *
 * @example
 * const call = await readFetchCall('https://api.openai.com/v1/chat/completions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"model":"gpt-4o"}' })
 * call.request // → { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-4o"}' }
 * const fromRequest = await readFetchCall(new Request('https://example.com/upload', { method: 'PUT', body: 'hello' }), undefined)
 * new TextDecoder().decode(fromRequest.request.body as Uint8Array) // → 'hello'
 */
export async function readFetchCall(input: FetchInput, init: RequestInit | undefined): Promise<FetchCall> {
  if (typeof input === 'string' || input instanceof URL) {
    const body = init?.body
    if (body === undefined || body === null || typeof body === 'string') {
      return {
        request: { method: init?.method ?? 'GET', url: String(input), headers: headerRecord(init?.headers), body: body ?? undefined },
        signal: init?.signal ?? undefined,
        input,
        init,
      }
    }
    if (body instanceof Uint8Array || body instanceof ArrayBuffer) {
      const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : body
      return { request: { method: init?.method ?? 'GET', url: String(input), headers: headerRecord(init?.headers), body: bytes }, signal: init?.signal ?? undefined, input, init }
    }
  }
  // Everything else (Request objects, FormData, Blob, URLSearchParams, streams): let the
  // platform serialise it exactly as fetch would, content-type (multipart boundary) included.
  const request = new Request(input, init)
  const bytes = request.body ? new Uint8Array(await request.clone().arrayBuffer()) : undefined
  const buffered = init?.body instanceof ReadableStream || (input instanceof Request && input.body !== null)
  return {
    request: { method: request.method, url: request.url, headers: headerRecord(request.headers), body: bytes },
    signal: request.signal,
    // A stream can be read once: the live call gets the buffered bytes instead.
    input: buffered ? request.url : input,
    init: buffered ? { method: request.method, headers: request.headers, body: bytes ?? null, signal: request.signal, redirect: request.redirect } : init,
  }
}
