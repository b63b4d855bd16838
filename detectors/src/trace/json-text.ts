import { canonicalJson, type JsonValue } from '@retrace/cassettes'

/**
 * The readable text of a JSON value: a string as it is, the strings of an array or object
 * joined by new lines (keys left out), other values as JSON. What a person would call the
 * text of a message or an input.
 *
 * @example
 * jsonText({ question: 'Weather in Paris?', lang: 'en' }) // 'Weather in Paris?\nen'
 * jsonText(['a', 1]) // 'a\n1'
 */
export function jsonText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value !== 'object') return String(value)
  const parts = (Array.isArray(value) ? value : Object.values(value)).map((item) => jsonText(item)).filter((text) => text.length > 0)
  return parts.join('\n')
}

/**
 * A value as compact, key-order-independent text: for observations, where two equal results
 * must give the same text.
 *
 * @example
 * observationText({ b: 1, a: 2 }) // '{"a":2,"b":1}'
 * observationText('page 2') // 'page 2'
 */
export function observationText(value: JsonValue | undefined): string | undefined {
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : canonicalJson(value)
}

/**
 * A short quote for a flag's evidence: whitespace collapsed, cut at `max` characters.
 *
 * @example
 * quote('I clicked   "Next".\n\nHere is a screenshot…', 20) // '“I clicked "Next". He…”'
 */
export function quote(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return `“${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}”`
}
