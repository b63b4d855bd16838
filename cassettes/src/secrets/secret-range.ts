/** Where a secret sits in a string (`end` exclusive) and which rule found it. */
export interface SecretRange {
  start: number
  end: number
  kind: string
  /** The replacement, when it is not `[REDACTED:<kind>]` (a user's `{ pattern, replacement }`). */
  replacement?: string
}

/**
 * What a redacted secret is replaced with; readable in a diff and never secret-shaped itself.
 *
 * @example
 * redactionMarker('openai-key') // → '[REDACTED:openai-key]'
 */
export function redactionMarker(kind: string): string {
  return `[REDACTED:${kind}]`
}

/**
 * Sorts ranges and merges the ones that overlap or touch (the first range's kind names the
 * merged one), so every secret is replaced once.
 *
 * @example
 * mergeRanges([{ start: 4, end: 9, kind: 'b' }, { start: 0, end: 5, kind: 'a' }]) // → [{ start: 0, end: 9, kind: 'a' }]
 */
export function mergeRanges(ranges: readonly SecretRange[]): SecretRange[] {
  if (ranges.length === 0) return []
  if (ranges.length === 1) return [ranges[0]!]
  const sorted = ranges.slice().sort((a, b) => a.start - b.start || b.end - a.end)
  const out: SecretRange[] = [{ ...sorted[0]! }]
  for (const range of sorted.slice(1)) {
    const last = out[out.length - 1]!
    if (range.start <= last.end) last.end = Math.max(last.end, range.end)
    else out.push({ ...range })
  }
  return out
}

/**
 * Replaces each (merged) range of `text` with its marker.
 *
 * @example
 * applyRanges('key=abc', [{ start: 4, end: 7, kind: 'x' }]) // → 'key=[REDACTED:x]'
 */
export function applyRanges(text: string, ranges: readonly SecretRange[]): string {
  if (ranges.length === 0) return text
  let out = ''
  let at = 0
  for (const range of mergeRanges(ranges)) {
    out += text.slice(at, range.start) + (range.replacement ?? redactionMarker(range.kind))
    at = range.end
  }
  return out + text.slice(at)
}
