import type { JsonValue } from '@retrace/cassettes'

/**
 * Deep equality of two JSON values, ignoring object key order. Allocates nothing, so the
 * exact layer can run on every comparison at a cost of microseconds.
 *
 * @example
 * jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }) // true
 * jsonEqual([1, 2], [2, 1])                           // false
 */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  let count = 0
  for (const key in a) {
    if (!Object.hasOwn(a, key)) continue
    // A key whose value is undefined is absent in JSON.
    if (a[key] === undefined) continue
    if (!Object.hasOwn(b, key) || !jsonEqual(a[key], b[key])) return false
    count++
  }
  for (const key in b) if (Object.hasOwn(b, key) && b[key] !== undefined) count--
  return count === 0
}
