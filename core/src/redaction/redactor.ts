import {
  redactSecretStrings,
  SECRET_PATTERNS,
  parseJsonPath,
  transformJsonPath,
  type Body,
  type Interaction,
  type JsonValue,
  type PathSegment,
  type RecordedRequest,
  type RecordedResponse,
} from '@retrace/cassettes'
import { DEFAULT_REDACTED_HEADERS, DEFAULT_REDACTED_QUERY_PARAMS, REDACTED, type Redactor } from './redaction-options.ts'

/** Applies the default rules plus the user's; built once per cassette. */
export interface Redaction {
  /** Secret-shaped substrings and custom patterns. Safe on raw JSON text: markers need no escaping. */
  text(text: string): string
  url(url: string): string
  headers(headers: Record<string, string>): Record<string, string>
  /** Applies the JSON-path rules in place (the other rules are string rules). */
  jsonPaths(json: JsonValue): void
  /** True when there are JSON-path rules, so callers can skip parsing work otherwise. */
  readonly hasPathRules: boolean
  /** A redacted copy of any JSON value (string rules everywhere, then the JSON-path rules). */
  json(value: JsonValue): JsonValue
  /** Redacts a request; used before storing and before computing a replay match key. */
  request(request: RecordedRequest): RecordedRequest
  /** Redacts a whole interaction before it is written. */
  interaction(interaction: Interaction): Interaction
}

/**
 * Builds the redactor for a cassette. Defaults (always on unless `false` is passed): auth
 * headers, key-like query parameters, and secret-shaped strings (OpenAI, Anthropic, Google
 * keys, bearer tokens, …) anywhere in URLs, headers and bodies. Redaction is idempotent, so
 * a recorded request and the same request replayed later produce the same match key.
 *
 * @example
 * const redact = createRedactor([{ path: '$.user.email' }, { pattern: /acct_\d+/g }])
 * const safe = redact.interaction(interaction)
 */
export function createRedactor(rules: readonly Redactor[] | false = []): Redaction {
  if (rules === false) {
    const same = <T,>(value: T): T => value
    return { text: same, url: same, headers: same, jsonPaths: () => {}, hasPathRules: false, json: same, request: same, interaction: same }
  }
  const headers = new Map<string, string>(DEFAULT_REDACTED_HEADERS.map((name) => [name, REDACTED]))
  const params = new Map<string, string>(DEFAULT_REDACTED_QUERY_PARAMS.map((name) => [name, REDACTED]))
  const paths: Array<{ segments: PathSegment[]; replacement: string }> = []
  const custom: Array<{ pattern: RegExp; replacement: string }> = []
  for (const rule of rules) {
    const replacement = rule.replacement ?? REDACTED
    if ('header' in rule) headers.set(rule.header.toLowerCase(), replacement)
    else if ('queryParam' in rule) params.set(rule.queryParam.toLowerCase(), replacement)
    else if ('path' in rule) paths.push({ segments: parseJsonPath(rule.path), replacement })
    else {
      // Always global, so every occurrence is replaced, not just the first.
      const flags = rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`
      custom.push({ pattern: new RegExp(rule.pattern.source, flags), replacement })
    }
  }

  const redactString = (text: string): string => {
    let out = redactSecretStrings(text, SECRET_PATTERNS)
    for (const { pattern, replacement } of custom) {
      pattern.lastIndex = 0
      out = out.replace(pattern, replacement)
    }
    return out
  }

  const redactHeaders = (input: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(input)) out[name] = headers.get(name) ?? redactString(value)
    return out
  }

  const redactJson = (value: JsonValue): JsonValue => {
    const walked = mapStrings(value, redactString)
    for (const { segments, replacement } of paths) transformJsonPath(walked, segments, () => replacement)
    return walked
  }

  const redactBody = (body: Body | undefined): Body | undefined => {
    if (!body) return body
    if ('json' in body) return { json: redactJson(body.json) }
    if ('text' in body) return { text: redactString(body.text) }
    if ('sse' in body) {
      return {
        sse: body.sse.map((event) => {
          const copy = { ...event }
          if (copy.data !== undefined) copy.data = redactJson(copy.data)
          if (copy.text !== undefined) copy.text = redactString(copy.text)
          return copy
        }),
      }
    }
    return body
  }

  const request = (input: RecordedRequest): RecordedRequest => ({
    ...input,
    method: input.method,
    url: redactUrl(input.url, params, redactString),
    headers: redactHeaders(input.headers),
    ...(input.body ? { body: redactBody(input.body) } : {}),
  })

  const response = (input: RecordedResponse): RecordedResponse => ({
    ...input,
    headers: redactHeaders(input.headers),
    ...(input.body ? { body: redactBody(input.body) } : {}),
    ...(input.end?.message ? { end: { ...input.end, message: redactString(input.end.message) } } : {}),
  })

  return {
    text: redactString,
    url: (url) => redactUrl(url, params, redactString),
    headers: redactHeaders,
    jsonPaths: (json) => {
      for (const { segments, replacement } of paths) transformJsonPath(json, segments, () => replacement)
    },
    hasPathRules: paths.length > 0,
    json: redactJson,
    request,
    interaction: (input) => ({
      ...input,
      request: request(input.request),
      ...(input.response ? { response: response(input.response) } : {}),
      ...(input.error ? { error: { ...input.error, message: redactString(input.error.message) } } : {}),
      ...(input.step ? { step: mapStrings(input.step as unknown as JsonValue, redactString) as unknown as Interaction['step'] } : {}),
    }),
  }
}

function mapStrings(value: JsonValue, map: (text: string) => string): JsonValue {
  if (typeof value === 'string') return map(value)
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map))
  if (value === null || typeof value !== 'object') return value
  const out: { [key: string]: JsonValue } = {}
  for (const [key, item] of Object.entries(value)) out[key] = mapStrings(item, map)
  return out
}

/**
 * Redacts key-like query parameters and secret-shaped values in a URL, keeping the rest of
 * the query byte-for-byte (so `[REDACTED]` stays readable instead of `%5BREDACTED%5D`).
 */
function redactUrl(url: string, params: Map<string, string>, redactString: (text: string) => string): string {
  const queryStart = url.indexOf('?')
  if (queryStart < 0) return redactString(url)
  const hashStart = url.indexOf('#', queryStart)
  const query = url.slice(queryStart + 1, hashStart < 0 ? undefined : hashStart)
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      if (eq < 0) return pair
      const name = safeDecode(pair.slice(0, eq)).toLowerCase()
      const replacement = params.get(name)
      if (replacement !== undefined) return `${pair.slice(0, eq)}=${replacement}`
      const value = safeDecode(pair.slice(eq + 1))
      const clean = redactString(value)
      return clean === value ? pair : `${pair.slice(0, eq)}=${clean}`
    })
    .join('&')
  return `${redactString(url.slice(0, queryStart))}?${redacted}${hashStart < 0 ? '' : url.slice(hashStart)}`
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return text
  }
}
