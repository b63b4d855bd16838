import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'

/**
 * A minimal fetch built on node:http, so an SDK that takes a `fetch` option can be driven
 * over the node:http transport in tests (the way axios or got would reach the network).
 */
export const httpFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input))
  const headers: Record<string, string> = {}
  new Headers(init?.headers).forEach((value, name) => (headers[name] = value))
  const body = typeof init?.body === 'string' ? init.body : undefined
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: init?.method ?? 'GET', headers }, (res) => {
      const responseHeaders = new Headers()
      for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
      const status = res.statusCode ?? 500
      const stream = [204, 304].includes(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>)
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }))
    })
    request.on('error', reject)
    init?.signal?.addEventListener('abort', () => request.destroy(init.signal!.reason as Error), { once: true })
    request.end(body)
  })
}
