/**
 * The sampling decision for one trace: deterministic in the trace id (and the seed), so the
 * same trace is always kept or always dropped, and `rate` 0.1 keeps 10 % of runs — not, as
 * a hash of the function name would, all or none of one function's runs.
 *
 * @example
 * isSampled('any trace', 1) // → true
 * isSampled('any trace', 0) // → false
 * isSampled('4f1c', 0.5, 'seed') === isSampled('4f1c', 0.5, 'seed') // → true
 * import { randomUUID } from 'node:crypto'
 * const kept = Array.from({ length: 2000 }, () => randomUUID()).filter((id) => isSampled(id, 0.1, 'seed')).length
 * kept > 130 && kept < 270 // → true
 */
export function isSampled(traceId: string, rate: number, seed = ''): boolean {
  if (rate >= 1) return true
  if (rate <= 0) return false
  return fnv1a(`${seed}:${traceId}`) / 0x1_0000_0000 < rate
}

/** 32-bit FNV-1a: fast, well spread for short keys, no dependency. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash >>> 0
}
