import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
import { Readable } from 'node:stream'
import { headerRecord } from '../captured-request.ts'
import { decompressorFor } from '../undici/recording-handler.ts'

type RequestFunction = (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest

// Where a request goes comes from the URL it is sent to, and what it says from the request
// as the caller wrote it (method, headers with `auth` already applied); everything else in
// the caller's options says *how* it goes (agent, ca, cert/key/pfx, rejectUnauthorized,
// servername, lookup, localAddress, createConnection, signal, …) and is kept.
const DESTINATION_OPTIONS = ['host', 'hostname', 'port', 'path', 'protocol', 'method', 'headers', 'auth', 'href', 'search', 'hash', 'pathname']

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/**
 * A fetch that sends over node:http / node:https with the caller's own transport options:
 * the live leg of a request made under a cassette reaches the server exactly as it would
 * without Retrace (the caller's agent, CA, client certificate, proxy agent), where Node's
 * fetch would ignore them. Bodies are decoded as fetch decodes them.
 *
 * @example
 * import http, { createServer } from 'node:http'
 * import type { AddressInfo } from 'node:net'
 * const server = createServer((req, res) => res.end(`agent ${req.headers['x-agent'] ?? 'none'}`))
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * // The caller's options: its own agent (a proxy agent, a client certificate… in real code).
 * const agent = new http.Agent({ keepAlive: false })
 * const send = callerTransportFetch(http.request, { agent, headers: { 'x-agent': 'mine' } })
 * const response = await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`, { method: 'POST', headers: { 'x-agent': 'mine' }, body: '{}' })
 * await response.text() // → 'agent mine'
 * server.close()
 */
export function callerTransportFetch(original: RequestFunction, callerOptions: RequestOptions): typeof fetch {
  const transport: Record<string, unknown> = { ...callerOptions }
  for (const name of DESTINATION_OPTIONS) delete transport[name]
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      const headers = headerRecord(init?.headers)
      const body = init?.body === undefined || init.body === null ? undefined : bodyBytes(init.body)
      delete headers['content-length']
      delete headers['transfer-encoding']
      if (body) headers['content-length'] = String(body.byteLength)
      const request = original(url, { ...transport, method: init?.method ?? 'GET', headers }, (res) => {
        try {
          resolve(toResponse(res))
        } catch (error) {
          reject(error)
        }
      })
      request.on('error', reject)
      request.end(body)
    })
}

function bodyBytes(body: NonNullable<RequestInit['body']>): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body)
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  // The node:http capture only ever hands over strings and Buffers.
  throw new TypeError(`Unsupported live request body: ${Object.prototype.toString.call(body)}`)
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers()
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
  const status = res.statusCode ?? 200
  if (NULL_BODY_STATUSES.has(status)) {
    res.resume()
    return new Response(null, { status, statusText: res.statusMessage ?? '', headers })
  }
  const decoder = decompressorFor(headerRecord(res.rawHeaders)['content-encoding'])
  let source: Readable = res
  if (decoder) {
    res.on('error', (error) => decoder.destroy(error))
    source = res.pipe(decoder)
  }
  return new Response(Readable.toWeb(source) as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage ?? '', headers })
}
