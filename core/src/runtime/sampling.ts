/**
 * The sampling decision for one trace: deterministic in the trace id (and the seed), so the
 * same trace is always kept or always dropped, and `rate` 0.1 keeps 10 % of runs — not, as
 * a hash of the function name would, all or none of one function's runs.
 *
 * @example
 * isSampled('4f1c…', 0.1, 'seed') // true for about 1 in 10 trace ids
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
