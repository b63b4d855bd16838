/** Narrowing helpers for untrusted JSON request bodies. */

export type JsonObject = Record<string, unknown>

/**
 * True for a plain JSON object (not null, not an array).
 *
 * @example
 * isJsonObject({ a: 1 }) // true
 * isJsonObject([1])      // false
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The value when it is a string, otherwise undefined.
 *
 * @example
 * stringOrUndefined('gpt-4o') // 'gpt-4o'
 * stringOrUndefined(4)        // undefined
 */
export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/**
 * The value when it is an array, otherwise an empty array.
 *
 * @example
 * arrayOrEmpty([1, 2]) // [1, 2]
 * arrayOrEmpty(null)   // []
 */
export function arrayOrEmpty(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}

/**
 * The array's plain-object elements; anything else in it is skipped.
 *
 * @example
 * objectsIn([{ a: 1 }, 'x', null]) // [{ a: 1 }]
 */
export function objectsIn(value: unknown): JsonObject[] {
  return arrayOrEmpty(value).filter(isJsonObject)
}
