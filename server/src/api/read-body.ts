import { ApiError } from '../errors/server-errors.ts'

/**
 * The request body as UTF-8 text, refused with 413 as soon as it passes `limit` bytes (the
 * rest is not read into memory). Invalid UTF-8 becomes U+FFFD, as `TextDecoder` does.
 *
 * @example
 * import { ApiError } from '../errors/server-errors.ts'
 * // In a route: const text = await readBodyText(c.req.raw, 16 * 1024 * 1024)
 * const post = (body: string) => new Request('http://127.0.0.1:8787/v1/events', { method: 'POST', body })
 * await readBodyText(post('hello'), 1024) // → 'hello'
 * await readBodyText(post('x'.repeat(2048)), 1024).catch((error: ApiError) => error.status) // → 413
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)
  if (!request.body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        await reader.cancel().catch(() => {})
        throw tooLarge(limit)
      }
      chunks.push(value)
    }
  } catch (error) {
    if (error instanceof ApiError) throw error
    throw new ApiError(400, 'bad_request', 'The request body could not be read.')
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * The body parsed as JSON; 400 naming the position when it is not JSON.
 *
 * @example
 * import { ApiError } from '../errors/server-errors.ts'
 * const post = (body: string) => new Request('http://127.0.0.1:8787/api/v1/forks', { method: 'POST', body })
 * await readJsonBody(post('{"force":true}'), 1024) // → { force: true }
 * await readJsonBody(post('{"force":'), 1024).catch((error: ApiError) => error.status) // → 400
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  return parseJsonText(await readBodyText(request, limit))
}

/**
 * A body's text parsed as JSON; 400 naming the position when it is not JSON.
 *
 * @example
 * parseJsonText('{"force":true}') // → { force: true }
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ApiError(400, 'bad_request', `The body is not JSON (${(error as Error).message.slice(0, 120)}).`)
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'payload_too_large', `The body is larger than ${limit} bytes.`)
}
