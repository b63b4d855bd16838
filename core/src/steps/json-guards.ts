import { jsonDepthExceeds, type JsonValue } from '@retrace/cassettes'

// Provider bodies arrive as `unknown` (they are whatever the wire carried). These guards
// narrow without throwing, so a malformed body degrades to "field missing" instead of a crash.

/**
 * A JSON object view of `value`, or undefined for arrays, null and primitives.
 *
 * @example
 * asRecord({ a: 1 }) // → { a: 1 }
 * asRecord([1])      // → undefined
 */
export function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/**
 * `value` when it is an array, otherwise an empty array (so callers can iterate unconditionally).
 *
 * @example
 * asArray([1, 2]) // → [1, 2]
 * asArray('x')    // → []
 */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}

/**
 * `value` when it is a string.
 *
 * @example
 * asString('gpt-4o') // → 'gpt-4o'
 * asString(4)        // → undefined
 */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/**
 * `value` when it is a finite number.
 *
 * @example
 * asNumber(0.7) // → 0.7
 * asNumber('1') // → undefined
 */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/**
 * `value` typed as JSON. Bodies reach us through `JSON.parse` (or the cassette's JSON), so
 * anything but `undefined` is already JSON; `undefined` (a missing field) becomes `null`.
 *
 * @example
 * asJsonValue({ city: 'Paris' }) // → { city: 'Paris' }
 * asJsonValue(undefined)         // → null
 */
export function asJsonValue(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue)
}

/**
 * Tool-call arguments as JSON. Providers send them as a JSON-encoded string (OpenAI) or as an
 * object (Anthropic, Gemini); a string that does not parse (a cut-short stream, a custom tool's
 * free text) or nests deeper than a cassette can store is kept as the string itself rather
 * than dropped.
 *
 * @example
 * parseJsonArguments('{"city":"Paris"}') // → { city: 'Paris' }
 * parseJsonArguments('{"city": "Pa')     // → '{"city": "Pa'
 * parseJsonArguments('')                 // → {}
 */
export function parseJsonArguments(value: unknown): JsonValue {
  if (typeof value !== 'string') return asJsonValue(value)
  if (value.trim() === '') return {}
  try {
    const json = JSON.parse(value) as JsonValue
    // Nested deeper than a cassette can store: kept as the string it came as.
    return jsonDepthExceeds(json) ? value : json
  } catch {
    return value
  }
}

/**
 * Parses `text` as JSON, or undefined when it is not JSON (or nests deeper than
 * `MAX_STORED_JSON_DEPTH`, too deep to store or process).
 *
 * @example
 * tryParseJson('{"a":1}') // → { a: 1 }
 * tryParseJson('[DONE]')  // → undefined
 */
export function tryParseJson(text: string): unknown {
  try {
    const json = JSON.parse(text) as unknown
    // A body stored as text because it nests too deep stays out of steps too.
    return jsonDepthExceeds(json) ? undefined : json
  } catch {
    return undefined
  }
}
