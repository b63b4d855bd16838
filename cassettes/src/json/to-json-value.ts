import { MAX_STORED_JSON_DEPTH } from './json-depth.ts'
import type { JsonValue } from './json-value.ts'

/**
 * Converts any value to JSON without losing it silently: BigInt → `"123n"`, Date → ISO
 * string, Map/Set → arrays, Error → `{ name, message }`, class instances → their own
 * enumerable fields, cycles → `"[Circular]"`, functions and symbols → descriptive strings,
 * `undefined` object fields omitted (as JSON does), `NaN`/`Infinity` → strings, and what
 * nests deeper than `MAX_STORED_JSON_DEPTH` → `"[Nested too deep]"` (a cassette could not
 * hold it, and converting it would overflow the stack).
 *
 * @example
 * toJsonValue({ id: 10n, at: new Date(0) }) // → { id: '10n', at: '1970-01-01T00:00:00.000Z' }
 */
export function toJsonValue(value: unknown): JsonValue {
  const ancestors: object[] = []
  const convert = (item: unknown): JsonValue | undefined => {
    switch (typeof item) {
      case 'string':
      case 'boolean':
        return item
      case 'number':
        return Number.isFinite(item) ? item : String(item)
      case 'bigint':
        return `${item}n`
      case 'undefined':
        return undefined
      case 'function':
        return `[Function ${item.name || 'anonymous'}]`
      case 'symbol':
        return item.toString()
    }
    if (item === null) return null
    const object = item as object
    if (ancestors.includes(object)) return '[Circular]'
    if (ancestors.length >= MAX_STORED_JSON_DEPTH) return '[Nested too deep]'
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString()
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function' && !(object instanceof Error)) {
      return convert((object as { toJSON(): unknown }).toJSON())
    }
    ancestors.push(object)
    try {
      if (Array.isArray(object)) return object.map((entry) => convert(entry) ?? null)
      if (object instanceof Map) return [...object.entries()].map(([key, entry]) => [convert(key) ?? null, convert(entry) ?? null])
      if (object instanceof Set) return [...object].map((entry) => convert(entry) ?? null)
      if (object instanceof Error) {
        const out: { [key: string]: JsonValue } = { name: object.name, message: object.message }
        for (const [key, entry] of Object.entries(object)) {
          const converted = convert(entry)
          if (converted !== undefined) out[key] = converted
        }
        return out
      }
      if (ArrayBuffer.isView(object)) return Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64')
      const out: { [key: string]: JsonValue } = {}
      for (const [key, entry] of Object.entries(object)) {
        const converted = convert(entry)
        if (converted !== undefined) out[key] = converted
      }
      return out
    } finally {
      ancestors.pop()
    }
  }
  return convert(value) ?? null
}
