import type { Cassette } from '../schema/cassette.ts'

/**
 * Serialises a cassette the way it is stored: 2-space JSON in schema key order, with each
 * server-sent event on a line of its own (a 200-event stream stays 200 lines, not 4,000),
 * ending in a newline. The same cassette always gives the same bytes.
 *
 * @example
 * serializeCassette({ version: 1, interactions: [] }) // → '{\n  "version": 1,\n  "interactions": []\n}\n'
 */
export function serializeCassette(cassette: Cassette): string {
  return writeValue(cassette, '', false) + '\n'
}

function writeValue(value: unknown, indent: string, compactItems: boolean): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  const inner = indent + '  '
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.map((item) => inner + (compactItems ? JSON.stringify(item) : writeValue(item, inner, false)))
    return `[\n${items.join(',\n')}\n${indent}]`
  }
  const entries: string[] = []
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || typeof item === 'function') continue
    entries.push(`${inner}${JSON.stringify(key)}: ${writeValue(item, inner, key === 'sse')}`)
  }
  if (entries.length === 0) return '{}'
  return `{\n${entries.join(',\n')}\n${indent}}`
}
