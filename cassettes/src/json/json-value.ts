/** Any value JSON can hold. Cassette bodies, tool arguments and results are typed as this. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** A JSON object (not an array, not null). */
export type JsonObject = { [key: string]: JsonValue }

/**
 * True for plain JSON objects; false for arrays and null.
 *
 * @example
 * isJsonObject({ a: 1 }) // → true
 * isJsonObject([1])      // → false
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
