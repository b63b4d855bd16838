import { toJsonValue, type JsonValue } from '@retrace/cassettes'

/**
 * A span's input or output as JSON, whole unless it is longer than `maxChars` once
 * serialised: then it is cut (a readable prefix, as a string) and `truncated` says so.
 * Never throws: BigInt, cycles and class instances are serialised safely.
 *
 * @example
 * capturePayload({ question: 'hi' }, 1_000_000) // → { value: { question: 'hi' }, truncated: false }
 * capturePayload('a long answer', 6) // → { value: 'a long', truncated: true }
 * capturePayload({ id: 10n }, 100) // → { value: { id: '10n' }, truncated: false }
 */
export function capturePayload(value: unknown, maxChars: number): { value: JsonValue | undefined; truncated: boolean } {
  if (value === undefined) return { value: undefined, truncated: false }
  const json = toJsonValue(value)
  // Only large values pay for measuring: strings and scalars are cheap to check.
  if (typeof json === 'string') return json.length > maxChars ? { value: json.slice(0, maxChars), truncated: true } : { value: json, truncated: false }
  if (json === null || typeof json !== 'object') return { value: json, truncated: false }
  const text = JSON.stringify(json)
  return text.length > maxChars ? { value: text.slice(0, maxChars), truncated: true } : { value: json, truncated: false }
}
