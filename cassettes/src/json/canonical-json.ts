import type { JsonValue } from './json-value.ts'

/**
 * Compact JSON with object keys sorted at every depth, so two values that differ only in
 * key order serialise identically. Used for match keys and exact-equality hashes.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // → '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return ''
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (canonicalJson(value[i]) || 'null')
    return out + ']'
  }
  const keys = Object.keys(value).sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const item = value[key]
    if (item === undefined) continue
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(item)
    first = false
  }
  return out + '}'
}
