/**
 * The deepest a JSON value stored in a cassette (a body, an event's `data`, tool-call
 * arguments, a run's result) may nest. Recorders store anything deeper as text, so the bytes
 * are kept and replay serves them unchanged; no real API answer comes near it. It leaves the
 * cassette's own few levels of structure room under {@link MAX_CASSETTE_DEPTH}.
 */
export const MAX_STORED_JSON_DEPTH = 500

/**
 * The deepest a cassette file may nest, counting its own structure. Deeper files are refused
 * with a `CassetteFormatError`: every recursive step on the way (matching, redaction, diffs,
 * the serializer, `JSON.stringify` itself) would otherwise overflow the stack.
 */
export const MAX_CASSETTE_DEPTH = 512

/** Up to this limit the check recurses (faster); beyond it, it keeps its own stack. */
const RECURSION_LIMIT = 1_000

/**
 * True when `value` nests more than `limit` arrays and objects deep (`[]` is 1 deep, a
 * string 0). It never recurses deeper than the limit it checks (and keeps its own stack for
 * limits beyond 1,000), so it answers for any depth without overflowing the stack.
 *
 * @example
 * jsonDepthExceeds([[1]], 1) // → true
 * jsonDepthExceeds([[1]], 2) // → false
 * jsonDepthExceeds(JSON.parse('['.repeat(1e5) + ']'.repeat(1e5)), MAX_STORED_JSON_DEPTH) // → true
 */
export function jsonDepthExceeds(value: unknown, limit: number = MAX_STORED_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false
  if (limit > RECURSION_LIMIT) return exceedsIteratively(value, limit)
  const deeper = (node: object, depth: number): boolean => {
    if (depth > limit) return true
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null && deeper(item, depth + 1)) return true
    } else {
      for (const key in node) {
        const item = (node as Record<string, unknown>)[key]
        if (typeof item === 'object' && item !== null && deeper(item, depth + 1)) return true
      }
    }
    return false
  }
  return deeper(value, 1)
}

function exceedsIteratively(value: object, limit: number): boolean {
  const nodes: object[] = [value]
  const depths: number[] = [1]
  while (nodes.length > 0) {
    const node = nodes.pop()!
    const depth = depths.pop()!
    if (depth > limit) return true
    const items = Array.isArray(node) ? node : Object.values(node)
    for (const item of items) {
      if (item !== null && typeof item === 'object') {
        nodes.push(item as object)
        depths.push(depth + 1)
      }
    }
  }
  return false
}
