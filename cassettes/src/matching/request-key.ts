import { canonicalJson } from '../json/canonical-json.ts'
import { omitJsonPaths, parseJsonPath, type PathSegment } from '../json/json-path.ts'
import type { Body } from '../schema/body.ts'
import type { RecordedRequest } from '../schema/interaction.ts'
import type { MatchOptions } from './match-options.ts'

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0'])

/**
 * The part of a URL that identifies what was asked: lower-cased origin, path, and the query
 * sorted by name. Loopback origins collapse to `http://localhost` without a port, because a
 * local server (a fake provider, a dev proxy) gets a new port on every run and the port
 * says nothing about the call.
 *
 * @example
 * normalizeUrlForMatching('http://127.0.0.1:54321/v1/chat?b=2&a=1') // → 'http://localhost/v1/chat?a=1&b=2'
 */
export function normalizeUrlForMatching(url: string, ignoreQueryParams: readonly string[] = []): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return url
  }
  const origin = LOOPBACK.has(parsed.hostname) ? 'http://localhost' : `${parsed.protocol}//${parsed.host}`
  const ignored = new Set(ignoreQueryParams.map((name) => name.toLowerCase()))
  const query = [...parsed.searchParams]
    .filter(([name]) => !ignored.has(name.toLowerCase()))
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&')
  return `${origin}${parsed.pathname}${query ? `?${query}` : ''}`
}

/**
 * A compiled form of {@link MatchOptions}: JSON paths parsed once, reused for every request.
 *
 * @example
 * const matcher = compileMatchOptions({ ignorePaths: ['$.user'] })
 * requestKey(request, matcher)
 */
export interface CompiledMatchOptions {
  ignorePaths: PathSegment[][]
  ignoreQueryParams: string[]
  matchHeaders: string[]
}

/**
 * Request-body fields that SDKs fill with ids they generate themselves, different on every
 * run, so a replayed request could never match: left out of matching by default.
 * @ai-sdk/google gives each Gemini function call and its response a random id.
 */
export const CLIENT_GENERATED_ID_PATHS: readonly string[] = [
  '$.contents[*].parts[*].functionCall.id',
  '$.contents[*].parts[*].functionResponse.id',
]

const clientGeneratedIdPaths = CLIENT_GENERATED_ID_PATHS.map((path) => parseJsonPath(path))

/**
 * Parses the JSON paths in match options once (a bad path throws here, at set-up, not on a
 * request), after the {@link CLIENT_GENERATED_ID_PATHS} that are never matched on.
 *
 * @example
 * const compiled = compileMatchOptions({ ignorePaths: ['$..timestamp'] })
 * const request = (timestamp: string) => ({ method: 'POST', url: 'https://api.example.com/v1/run', headers: {}, body: { json: { input: 'hi', timestamp } } })
 * requestKey(request('2026-01-01T00:00:00Z'), compiled) === requestKey(request('2026-06-01T12:00:00Z'), compiled) // → true
 */
export function compileMatchOptions(options: MatchOptions = {}): CompiledMatchOptions {
  return {
    ignorePaths: [...clientGeneratedIdPaths, ...(options.ignorePaths ?? []).map((path) => parseJsonPath(path))],
    ignoreQueryParams: options.ignoreQueryParams ?? [],
    matchHeaders: (options.matchHeaders ?? []).map((name) => name.toLowerCase()),
  }
}

/**
 * The body as it takes part in matching: canonical JSON (sorted keys, ignored paths
 * removed) for JSON, the raw text or base64 otherwise.
 *
 * @example
 * canonicalBodyForMatching({ json: { b: 1, a: 2 } }, compileMatchOptions()) // → '{"a":2,"b":1}'
 */
export function canonicalBodyForMatching(body: Body | undefined, options: CompiledMatchOptions): string {
  if (!body) return ''
  if ('json' in body) return canonicalJson(omitJsonPaths(body.json, options.ignorePaths))
  if ('text' in body) return `text:${body.text}`
  if ('base64' in body) return `base64:${body.base64}`
  return canonicalJson(body.sse)
}

/**
 * The key two requests share exactly when they match: method, normalised URL, selected
 * headers and canonical body. Requests are redacted before this is computed, on record and
 * on replay alike, so a secret never decides a match.
 *
 * @example
 * const key = (json: unknown) => requestKey({ method: 'POST', url: 'https://api.openai.com/v1/responses', headers: {}, body: { json } }, compileMatchOptions())
 * key({ model: 'gpt-4o', input: 'hi' }) === key({ input: 'hi', model: 'gpt-4o' }) // → true
 * key({ model: 'gpt-4o', input: 'hi' }) === key({ model: 'gpt-4o', input: 'hello' }) // → false
 */
export function requestKey(request: RecordedRequest, options: CompiledMatchOptions): string {
  let key = `${request.method.toUpperCase()} ${normalizeUrlForMatching(request.url, options.ignoreQueryParams)}`
  for (const name of options.matchHeaders) key += `\n${name}: ${request.headers[name] ?? ''}`
  return `${key}\n${canonicalBodyForMatching(request.body, options)}`
}
