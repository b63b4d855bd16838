/** One position of an alignment. Indexes are 0-based positions in the two sequences. */
export interface AlignedPair {
  /** `match`: paired at cost ≤ epsilon; `substitute`: paired at a higher cost; `delete`: only in `a`; `insert`: only in `b`. */
  op: 'match' | 'substitute' | 'delete' | 'insert'
  a?: number
  b?: number
  cost: number
}

export interface Alignment {
  pairs: AlignedPair[]
  /** Total edit cost. */
  cost: number
  /** `cost / max(len a, len b)`, in [0, 1] when distances are; 0 for two empty sequences. */
  distance: number
}

/**
 * Aligns two sequences by weighted edit distance: inserting or deleting costs 1, pairing
 * costs `distance(x, y)` (expected in [0, 1], so pairing is never dearer than
 * delete + insert). Ties prefer pairing, and pairing early steps, so equal-length runs pair
 * step by step unless a shift is clearly cheaper. O(n·m) calls of `distance`.
 *
 * @example
 * alignSteps(['search', 'book', 'reply'], ['search', 'reply'], (x, y) => (x === y ? 0 : 1)).pairs
 * // [{ op: 'match', a: 0, b: 0, cost: 0 }, { op: 'delete', a: 1, cost: 1 }, { op: 'match', a: 2, b: 1, cost: 0 }]
 */
export function alignSteps<A, B>(
  a: readonly A[],
  b: readonly B[],
  distance: (x: A, y: B, i: number, j: number) => number,
  options: { epsilon?: number } = {},
): Alignment {
  const n = a.length
  const m = b.length
  const epsilon = options.epsilon ?? 0
  const width = m + 1
  // suffix[i][j]: cost of aligning a[i..] with b[j..]. Built from the end so the walk below
  // can go forwards and, on ties, pair early steps: the first divergence is then as late as
  // the runs allow ("search, search, reply" against "search, reply" adds the second search).
  const suffix = new Float64Array((n + 1) * width)
  const pairCost = new Float64Array(n * m)
  for (let i = n - 1; i >= 0; i--) suffix[i * width + m] = n - i
  for (let j = m - 1; j >= 0; j--) suffix[n * width + j] = m - j
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const d = distance(a[i]!, b[j]!, i, j)
      pairCost[i * m + j] = d
      suffix[i * width + j] = Math.min(suffix[(i + 1) * width + (j + 1)]! + d, suffix[(i + 1) * width + j]! + 1, suffix[i * width + (j + 1)]! + 1)
    }
  }
  // Walk forwards; on ties take the pairing, then the deletion.
  const pairs: AlignedPair[] = []
  let i = 0
  let j = 0
  const close = (x: number, y: number) => Math.abs(x - y) < 1e-9
  while (i < n || j < m) {
    const here = suffix[i * width + j]!
    if (i < n && j < m) {
      const d = pairCost[i * m + j]!
      if (close(here, suffix[(i + 1) * width + (j + 1)]! + d)) {
        pairs.push({ op: d <= epsilon ? 'match' : 'substitute', a: i, b: j, cost: d })
        i++
        j++
        continue
      }
    }
    if (i < n && close(here, suffix[(i + 1) * width + j]! + 1)) {
      pairs.push({ op: 'delete', a: i, cost: 1 })
      i++
    } else {
      pairs.push({ op: 'insert', b: j, cost: 1 })
      j++
    }
  }
  const cost = suffix[0]!
  return { pairs, cost, distance: Math.max(n, m) === 0 ? 0 : cost / Math.max(n, m) }
}
