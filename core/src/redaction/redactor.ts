import {
  maskSecrets,
  maskSecretText,
  parseJsonPath,
  transformJsonPath,
  type Body,
  type ExtraPattern,
  type Interaction,
  type JsonValue,
  type PathSegment,
  type RecordedRequest,
  type RecordedResponse,
} from '@retrace/cassettes'
import { DEFAULT_REDACTED_HEADERS, DEFAULT_REDACTED_QUERY_PARAMS, REDACTED, type Redactor } from './redaction-options.ts'

/** Applies the default rules plus the user's; built once per cassette. */
export interface Redaction {
  /** Secrets and custom patterns in one string; `name` is the field or header holding it, when known. */
  text(text: string, name?: string): string
  url(url: string): string
  headers(headers: Record<string, string>): Record<string, string>
  /** Applies the JSON-path rules in place (the other rules are string rules). */
  jsonPaths(json: JsonValue): void
  /** True when there are JSON-path rules, so callers can skip parsing work otherwise. */
  readonly hasPathRules: boolean
  /** A redacted copy of any JSON value (string rules everywhere, then the JSON-path rules); the value itself when nothing changed. */
  json(value: JsonValue): JsonValue
  /** A redacted stored body: JSON and server-sent events walked (a key split over events included), text scanned, binary kept. */
  body(body: Body): Body
  /** Redacts a request; used before storing and before computing a replay match key. */
  request(request: RecordedRequest): RecordedRequest
  /** Redacts a whole interaction before it is written. */
  interaction(interaction: Interaction): Interaction
}

/**
 * Builds the redactor for a cassette. Defaults (always on unless `false` is passed): auth
 * headers, key-like query parameters, and every secret the shared rule set finds anywhere
 * in URLs, headers and bodies (secretlint's recommended rules, Retrace's extra shapes, and
 * context checks; see `maskSecrets` in @retrace/cassettes). Redaction is idempotent, so a
 * recorded request and the same request replayed later produce the same match key.
 *
 * @example
 * const redact = createRedactor([{ path: '$.user.email' }, { pattern: /acct_\d+/g }])
 * const safe = redact.interaction(interaction)
 */
export function createRedactor(rules: readonly Redactor[] | false = []): Redaction {
  if (rules === false) {
    const same = <T,>(value: T): T => value
    return { text: same, url: same, headers: same, jsonPaths: () => {}, hasPathRules: false, json: same, body: same, request: same, interaction: same }
  }
  const headers = new Map<string, string>(DEFAULT_REDACTED_HEADERS.map((name) => [name, REDACTED]))
  const params = new Map<string, string>(DEFAULT_REDACTED_QUERY_PARAMS.map((name) => [name, REDACTED]))
  const paths: Array<{ segments: PathSegment[]; replacement: string }> = []
  const extra: ExtraPattern[] = []
  for (const rule of rules) {
    const replacement = rule.replacement ?? REDACTED
    if ('header' in rule) headers.set(rule.header.toLowerCase(), replacement)
    else if ('queryParam' in rule) params.set(rule.queryParam.toLowerCase(), replacement)
    else if ('path' in rule) paths.push({ segments: parseJsonPath(rule.path), replacement })
    else {
      // Always global, so every occurrence is replaced, not just the first.
      const flags = rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`
      extra.push({ pattern: new RegExp(rule.pattern.source, flags), replacement })
    }
  }

  const redactString = (text: string, name?: string): string => maskSecretText(text, { name }, extra)

  const redactHeaders = (input: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(input)) out[name] = headers.get(name) ?? redactString(value, name)
    return out
  }

  const applyPaths = (json: JsonValue) => {
    for (const { segments, replacement } of paths) transformJsonPath(json, segments, () => replacement)
  }

  const redactJson = (value: JsonValue): JsonValue => {
    const masked = maskSecrets(value, { patterns: extra }).value
    if (paths.length === 0) return masked
    // Path rules write in place: never into the caller's value.
    const copy = masked === value ? structuredClone(value) : masked
    applyPaths(copy)
    return copy
  }

  const redactBody = (body: Body): Body => {
    if ('json' in body) return { json: redactJson(body.json) }
    if ('text' in body) return { text: redactString(body.text) }
    if ('sse' in body) {
      // Walked as one stream, so a key streamed over several deltas is found and masked in each.
      const masked = (maskSecrets({ sse: body.sse }, { patterns: extra }).value as { sse: typeof body.sse }).sse
      if (paths.length === 0) return { sse: masked }
      const events = structuredClone(masked)
      for (const event of events) if (event.data !== undefined) applyPaths(event.data)
      return { sse: events }
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
    jsonPaths: applyPaths,
    hasPathRules: paths.length > 0,
    json: redactJson,
    body: redactBody,
    request,
    interaction: (input) => ({
      ...input,
      request: request(input.request),
      ...(input.response ? { response: response(input.response) } : {}),
      ...(input.error ? { error: { ...input.error, message: redactString(input.error.message) } } : {}),
      ...(input.step ? { step: redactJson(input.step as unknown as JsonValue) as unknown as Interaction['step'] } : {}),
    }),
  }
}

/**
 * Redacts key-like query parameters and secret-shaped values in a URL, keeping the rest of
 * the query byte-for-byte (so `[REDACTED]` stays readable instead of `%5BREDACTED%5D`).
 */
function redactUrl(url: string, params: Map<string, string>, redactString: (text: string, name?: string) => string): string {
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
      const clean = redactString(value, name)
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
