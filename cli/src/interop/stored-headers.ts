import { UNSTORED_HEADERS } from '@retrace/cassettes'

/** A header as HAR and similar formats list them. */
export interface HeaderPair {
  name: string
  value: string
}

/**
 * Foreign headers the way Retrace stores them: lower-case names in sorted order, repeats
 * joined with `, `, and the headers a recording never keeps dropped (framing and hop-by-hop
 * headers, which are wrong once a body is stored decoded; HTTP/2 pseudo-headers; SDK
 * telemetry on requests).
 *
 * @example
 * toStoredHeaders([['Content-Type', 'application/json'], ['Content-Length', '12']], 'response')
 * // → { 'content-type': 'application/json' }
 */
export function toStoredHeaders(pairs: Iterable<readonly [string, string]>, side: 'request' | 'response'): Record<string, string> {
  const joined = new Map<string, string>()
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase()
    if (name.startsWith(':') || UNSTORED_HEADERS.has(name)) continue
    if (side === 'request' && name.startsWith('x-stainless-')) continue
    const previous = joined.get(name)
    joined.set(name, previous === undefined ? value : `${previous}, ${value}`)
  }
  const stored: Record<string, string> = {}
  for (const name of [...joined.keys()].sort()) stored[name] = joined.get(name)!
  return stored
}

/**
 * Stored headers as a `{ name, value }` list (HAR's shape).
 *
 * @example
 * headerPairs({ 'content-type': 'application/json' }) // → [{ name: 'content-type', value: 'application/json' }]
 */
export function headerPairs(headers: Readonly<Record<string, string>>): HeaderPair[] {
  return Object.entries(headers).map(([name, value]) => ({ name, value }))
}

/**
 * Looks a header up whatever the case of its name.
 *
 * @example
 * headerValue({ 'content-type': 'text/plain' }, 'Content-Type') // → 'text/plain'
 */
export function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value
  return undefined
}
