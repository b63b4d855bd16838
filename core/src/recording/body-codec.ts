import { jsonDepthExceeds, serializeSseEvent, type Body, type JsonValue } from '@retrace/cassettes'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Chooses how to store a body: structured JSON when it is JSON (so the cassette diff shows
 * fields, not an escaped string), text when it is valid UTF-8 text, base64 otherwise.
 * Integers beyond 2^53 would lose digits as JSON numbers, and JSON nested deeper than
 * `MAX_STORED_JSON_DEPTH` could not be processed or read back, so such bodies stay text
 * (replay serves the same bytes either way).
 *
 * @example
 * storeBody(new TextEncoder().encode('{"a":1}'), 'application/json') // { json: { a: 1 } }
 */
export function storeBody(bytes: Uint8Array | string, contentType: string | undefined): Body | undefined {
  if (bytes.length === 0) return undefined
  const type = (contentType ?? '').toLowerCase()
  let text: string
  if (typeof bytes === 'string') text = bytes
  else {
    try {
      text = utf8.decode(bytes)
    } catch {
      return { base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') }
    }
  }
  if (type.includes('json') || (!type && /^\s*[[{]/.test(text))) {
    const json = parseJsonLosslessly(text)
    if (json !== undefined && !jsonDepthExceeds(json)) return { json }
  }
  if (!type || type.startsWith('text/') || /xml|json|javascript|x-www-form-urlencoded|graphql|yaml/.test(type)) return { text }
  // A binary content type that happens to decode as UTF-8 (tiny images, protobuf) stays binary.
  return { base64: Buffer.from(text, 'utf8').toString('base64') }
}

function parseJsonLosslessly(text: string): JsonValue | undefined {
  // Only a run of 16+ digits can be an integer JSON numbers would round; skip the slower
  // checking parse for every other body.
  if (!/\d{16}/.test(text)) {
    try {
      return JSON.parse(text) as JsonValue
    } catch {
      return undefined
    }
  }
  let lossy = false
  let value: JsonValue
  try {
    value = JSON.parse(text, (_key, item: unknown) => {
      if (typeof item === 'number' && Number.isInteger(item) && !Number.isSafeInteger(item)) lossy = true
      return item
    }) as JsonValue
  } catch {
    return undefined
  }
  return lossy ? undefined : value
}

/**
 * The bytes to send for a stored body (server-sent events are handled by the replay source).
 *
 * @example
 * bodyText({ json: { a: 1 } }) // '{"a":1}'
 */
export function bodyText(body: Body | undefined): string | Uint8Array {
  if (!body) return ''
  if ('json' in body) return JSON.stringify(body.json)
  if ('text' in body) return body.text
  if ('base64' in body) return Buffer.from(body.base64, 'base64')
  return body.sse.map((event) => serializeSseEvent(event)).join('')
}
