import {
  findSecretRanges,
  isPlaceholder,
  maskSecrets,
  maskSecretText,
  parseJsonPath,
  transformJsonPath,
  type Body,
  type ExtraPattern,
  type ExtraRules,
  type Interaction,
  type JsonValue,
  type PathSegment,
  type RecordedRequest,
  type RecordedResponse,
} from '@retrace/cassettes'
import { DEFAULT_REDACTED_HEADERS, DEFAULT_REDACTED_QUERY_PARAMS, REDACTED, type Redactor } from './redaction-options.ts'

/** Applies the default rules plus the user's; built once per cassette. */
export interface Redaction {
  /** Secrets and custom patterns in one stored string (a response's, an error's); `name` is the field or header holding it, when known. */
  text(text: string, name?: string): string
  /** A request URL: key-like query parameters, credentials, secrets in the path. */
  url(url: string): string
  /** Request headers: the auth headers, then the rules with each header's name as context. */
  headers(headers: Record<string, string>): Record<string, string>
  /** Applies the JSON-path rules in place (the other rules are string rules). */
  jsonPaths(json: JsonValue): void
  /** True when there are JSON-path rules, so callers can skip parsing work otherwise. */
  readonly hasPathRules: boolean
  /** A redacted copy of any JSON value (string rules everywhere, then the JSON-path rules); the value itself when nothing changed. */
  json(value: JsonValue): JsonValue
  /** A request's stored body: JSON and server-sent events walked (a key split over events included), text scanned, binary kept. */
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
 * const safe = redact.interaction({
 *   request: { method: 'POST', url: 'https://api.example.com/v1/run?api_key=abc123', headers: { authorization: 'Bearer sk-live' }, body: { json: { user: { email: 'ada@example.com' }, note: 'for acct_42' } } },
 * })
 * safe.request.headers.authorization // → '[REDACTED]'
 * safe.request.url // → 'https://api.example.com/v1/run?api_key=[REDACTED]'
 * safe.request.body // → { json: { user: { email: '[REDACTED]' }, note: 'for [REDACTED]' } }
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

  // Secrets found in requests (an API key in an auth header, a token in a credential-named
  // field) are learned, and masked wherever they come back in this recording's responses,
  // errors and steps, even where no rule would recognise them. Requests themselves are
  // redacted by the rules alone, so a live request and its recording always get the same
  // match key whatever order secrets were learned in.
  // Only secrets the rules cannot recognise on their own (an opaque token) need learning.
  const known = new Map<string, string>()
  const considered = new Set<string>()
  const learn = (secret: string, kind: string) => {
    if (secret.length < 8 || considered.has(secret) || considered.size >= 1_000 || isPlaceholder(secret)) return
    considered.add(secret)
    if (findSecretRanges(secret).length === 0) known.set(secret, kind)
  }
  const sent: ExtraRules = { patterns: extra, onSecret: learn }
  const received: ExtraRules = { patterns: extra, known, onSecret: learn }

  const redactString = (text: string, name: string | undefined, rules: ExtraRules): string => maskSecretText(text, { name }, rules)

  const redactHeaders = (input: Record<string, string>, rules: ExtraRules): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(input)) {
      const replacement = headers.get(name)
      if (replacement === undefined) out[name] = redactString(value, name, rules)
      else {
        out[name] = replacement
        learn(value, 'credential')
        const token = /^\S+\s+(\S+)$/.exec(value)?.[1]
        if (token) learn(token, 'credential')
      }
    }
    return out
  }

  const applyPaths = (json: JsonValue) => {
    for (const { segments, replacement } of paths) transformJsonPath(json, segments, () => replacement)
  }

  const redactJson = (value: JsonValue, rules: ExtraRules): JsonValue => {
    const masked = maskSecrets(value, rules).value
    if (paths.length === 0) return masked
    // Path rules write in place: never into the caller's value.
    const copy = masked === value ? structuredClone(value) : masked
    applyPaths(copy)
    return copy
  }

  const redactBody = (body: Body, rules: ExtraRules): Body => {
    if ('json' in body) return { json: redactJson(body.json, rules) }
    if ('text' in body) return { text: redactString(body.text, undefined, rules) }
    if ('sse' in body) {
      // Walked as one stream, so a key streamed over several deltas is found and masked in each.
      const masked = (maskSecrets({ sse: body.sse }, rules).value as { sse: typeof body.sse }).sse
      if (paths.length === 0) return { sse: masked }
      const events = structuredClone(masked)
      for (const event of events) if (event.data !== undefined) applyPaths(event.data)
      return { sse: events }
    }
    return body
  }

  const redactRequestUrl = (url: string) => redactUrl(url, params, (text, name) => redactString(text, name, sent), learn)

  const request = (input: RecordedRequest): RecordedRequest => ({
    ...input,
    method: input.method,
    url: redactRequestUrl(input.url),
    headers: redactHeaders(input.headers, sent),
    ...(input.body ? { body: redactBody(input.body, sent) } : {}),
  })

  const response = (input: RecordedResponse): RecordedResponse => ({
    ...input,
    headers: redactHeaders(input.headers, received),
    ...(input.body ? { body: redactBody(input.body, received) } : {}),
    ...(input.end?.message ? { end: { ...input.end, message: redactString(input.end.message, undefined, received) } } : {}),
  })

  return {
    text: (text, name) => redactString(text, name, received),
    url: redactRequestUrl,
    headers: (input) => redactHeaders(input, sent),
    jsonPaths: applyPaths,
    hasPathRules: paths.length > 0,
    json: (value) => redactJson(value, received),
    body: (body) => redactBody(body, sent),
    request,
    interaction: (input) => ({
      ...input,
      request: request(input.request),
      ...(input.response ? { response: response(input.response) } : {}),
      ...(input.error ? { error: { ...input.error, message: redactString(input.error.message, undefined, received) } } : {}),
      ...(input.step ? { step: redactJson(input.step as unknown as JsonValue, received) as unknown as Interaction['step'] } : {}),
    }),
  }
}

/**
 * Redacts key-like query parameters and secret-shaped values in a URL, keeping the rest of
 * the query byte-for-byte (so `[REDACTED]` stays readable instead of `%5BREDACTED%5D`).
 */
function redactUrl(url: string, params: Map<string, string>, redactString: (text: string, name?: string) => string, learn: (secret: string, kind: string) => void): string {
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
      if (replacement !== undefined) {
        learn(safeDecode(pair.slice(eq + 1)), 'credential')
        return `${pair.slice(0, eq)}=${replacement}`
      }
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
