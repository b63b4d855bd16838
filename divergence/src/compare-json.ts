import jsonPatch from 'fast-json-patch'
import { canonicalJson, formatJsonPath, omitJsonPaths, transformJsonPath, type PathSegment, isJsonObject, type JsonValue } from '@retrace/cassettes'
import { scoreTexts, type TextScoring } from './compare-text.ts'
import { resolveDivergenceOptions, type DivergenceOptions } from './divergence-options.ts'
import type { DivergenceReason, DivergenceReasonKind } from './divergence-result.ts'
import { jsonEqual } from './json-equal.ts'
import { matchesAnyPath } from './path-patterns.ts'
import { formatValue, makeReason, type ReasonContext } from './reason-context.ts'
import { createTextAnalyzer } from './text-analysis.ts'

/** How two JSON values compared: a similarity in [0, 1] and one reason per divergent path. */
export interface JsonComparison {
  similarity: number
  reasons: DivergenceReason[]
}

/** Options of `compareJson`: the leaf rules, plus where the values sit. */
export type CompareJsonOptions = Pick<
  DivergenceOptions,
  'textThreshold' | 'numberTolerance' | 'shortStringLength' | 'ignorePaths' | 'setPaths' | 'criticalTokens' | 'maxLcsTokens'
> & {
  /**
   * The key the values sit under, which prefixes reason paths and is what `ignorePaths` /
   * `setPaths` are written against: `'arguments'` gives `$.arguments.city`. Default: none (`$.city`).
   */
  root?: string
  /** Reasons are `argument-*` (default) or `result-changed` for the run's result. */
  layer?: 'arguments' | 'result'
}

/**
 * Compares two JSON values leaf by leaf over an RFC 6902 diff (`fast-json-patch`, which
 * ignores key order), and explains each divergent path:
 * - numbers relatively, `1 − |a−b| / (|a|+|b|)`, equal within `numberTolerance`;
 * - booleans, null and type changes exactly;
 * - strings up to `shortStringLength` exactly after trim and case folding (ids, dates, cities);
 * - longer strings as free text (`compareTexts`, critical-token guard included);
 * - `ignorePaths` left out, arrays at `setPaths` compared as multisets.
 *
 * @example
 * compareJson({ city: 'Paris', days: 3 }, { days: 3, city: 'London' }, { root: 'arguments' }).reasons
 * // [{ kind: 'argument-changed', path: '$.arguments.city', expected: 'Paris', received: 'London', … }]
 */
export function compareJson(expected: JsonValue, received: JsonValue, options: CompareJsonOptions = {}): JsonComparison {
  const scoring: TextScoring = { options: resolveDivergenceOptions(options), analyzer: createTextAnalyzer() }
  const layer = options.layer ?? 'arguments'
  return scoreJson(expected, received, scoring, { layer, where: layer === 'result' ? 'Result' : 'Arguments' }, options.root)
}

/**
 * `compareJson` with its context supplied by the caller: the step, tool and message prefix
 * of its reasons, and the caches shared across one run comparison.
 *
 * @example
 * import { resolveDivergenceOptions } from './divergence-options.ts'
 * import { createTextAnalyzer } from './text-analysis.ts'
 * const scoring = { options: resolveDivergenceOptions(), analyzer: createTextAnalyzer() }
 * const compared = scoreJson({ city: 'Paris' }, { city: 'London' }, scoring, { layer: 'arguments', where: 'Step 1, tool call search', step: 1 }, 'arguments')
 * compared.reasons[0]?.path // → '$.arguments.city'
 */
export function scoreJson(expected: JsonValue, received: JsonValue, scoring: TextScoring, context: ReasonContext, root?: string): JsonComparison {
  const { options } = scoring
  // Wrapping under the root makes patch paths, reason paths and user paths one namespace.
  let a: JsonValue = root === undefined ? expected : { [root]: expected }
  let b: JsonValue = root === undefined ? received : { [root]: received }
  let copied = false
  if (options.ignorePaths.length) {
    const [unomittedA, unomittedB] = [a, b]
    a = omitJsonPaths(a, options.ignorePaths)
    b = omitJsonPaths(b, options.ignorePaths)
    // omitJsonPaths copies only when it removed something.
    copied = a !== unomittedA && b !== unomittedB
  }
  const size = Math.max(1, leafCount(a), leafCount(b))
  const reasons: DivergenceReason[] = []
  let penalty = 0

  if (options.setPaths.length) {
    const sets: SetPair[] = []
    collectSetPairs(a, b, [], scoring, sets)
    if (sets.length && !copied) {
      a = structuredClone(a)
      b = structuredClone(b)
    }
    for (const pair of sets) {
      penalty += compareSet(pair, scoring, context, reasons)
      // Compared: neutralise both sides so the positional diff below skips them.
      const segments = pair.path.map(toSegment)
      transformJsonPath(a, segments, () => null)
      transformJsonPath(b, segments, () => null)
    }
  }

  const operations: jsonPatch.Operation[] =
    isContainer(a) && isContainer(b) ? jsonPatch.compare(a, b) : jsonEqual(a, b) ? [] : [{ op: 'replace', path: '', value: b }]
  // Path order, not the patch's: stable whatever the key order of either side.
  const located = operations.map((operation) => ({ operation, path: pointerSegments(operation.path, operation.op === 'add' ? b : a) }))
  located.sort((x, y) => comparePaths(x.path, y.path))
  for (const { operation, path } of located) {
    const at = formatJsonPath(path)
    if (operation.op === 'add') {
      const value = operation.value as JsonValue
      penalty += leafCount(value)
      reasons.push(makeReason(context, kindFor(context, 'argument-added'), `${at} was added: ${formatValue(value)}`, { path: at, received: value }))
    } else if (operation.op === 'remove') {
      const value = valueAt(a, path)
      penalty += leafCount(value)
      reasons.push(makeReason(context, kindFor(context, 'argument-removed'), `${at} was removed (was ${formatValue(value)})`, { path: at, expected: value }))
    } else if (operation.op === 'replace') {
      const leaf = compareLeaf(valueAt(a, path), operation.value as JsonValue, at, scoring, context)
      penalty += leaf.penalty
      reasons.push(...leaf.reasons)
    }
  }
  return { similarity: Math.max(0, 1 - penalty / size), reasons }
}

/**
 * The relative similarity of two numbers (autoevals' NumericDiff): `1 − |a−b| / (|a|+|b|)`.
 *
 * @example
 * numericSimilarity(100, 101) // ≈ 0.995
 */
export function numericSimilarity(a: number, b: number): number {
  if (a === b) return 1
  return 1 - Math.abs(a - b) / (Math.abs(a) + Math.abs(b))
}

function compareLeaf(
  expected: JsonValue,
  received: JsonValue,
  path: string,
  scoring: TextScoring,
  context: ReasonContext,
): { penalty: number; reasons: DivergenceReason[] } {
  const { options } = scoring
  const changed = (similarity: number) => ({
    penalty: typeof expected === 'object' || typeof received === 'object' ? Math.max(leafCount(expected), leafCount(received)) : 1 - similarity,
    reasons: [
      makeReason(context, kindFor(context, 'argument-changed'), `${path} changed from ${formatValue(expected)} to ${formatValue(received)}`, {
        path,
        expected,
        received,
        similarity,
      }),
    ],
  })
  if (typeof expected === 'number' && typeof received === 'number') {
    const similarity = numericSimilarity(expected, received)
    return 1 - similarity <= options.numberTolerance ? { penalty: 1 - similarity, reasons: [] } : changed(similarity)
  }
  if (typeof expected === 'string' && typeof received === 'string') {
    if (Math.max(expected.length, received.length) <= options.shortStringLength) {
      return foldShort(expected) === foldShort(received) ? { penalty: 0, reasons: [] } : changed(0)
    }
    const text = scoreTexts(expected, received, scoring, { ...context, path })
    return { penalty: 1 - text.similarity, reasons: text.reasons }
  }
  return changed(0)
}

/** Ids, dates and cities: equal when they differ only in case, outer or repeated spaces. */
function foldShort(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase()
}

interface SetPair {
  path: Array<string | number>
  expected: JsonValue[]
  received: JsonValue[]
}

/** Finds arrays selected by `setPaths` that both sides have at the same concrete path. */
function collectSetPairs(a: JsonValue, b: JsonValue, path: Array<string | number>, scoring: TextScoring, out: SetPair[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (path.length && matchesAnyPath(scoring.options.setPaths, path)) {
      out.push({ path: [...path], expected: a, received: b })
      return
    }
    for (let i = 0; i < Math.min(a.length, b.length); i++) collectSetPairs(a[i]!, b[i]!, [...path, i], scoring, out)
  } else if (isJsonObject(a) && isJsonObject(b)) {
    for (const key of Object.keys(a)) if (Object.hasOwn(b, key)) collectSetPairs(a[key]!, b[key]!, [...path, key], scoring, out)
  }
}

/** Multiset difference; short strings fold as leaves do. Returns the penalty. */
function compareSet(pair: SetPair, scoring: TextScoring, context: ReasonContext, reasons: DivergenceReason[]): number {
  const key = (value: JsonValue) =>
    typeof value === 'string' && value.length <= scoring.options.shortStringLength ? `s:${foldShort(value)}` : canonicalJson(value)
  const remaining = new Map<string, number>()
  for (const item of pair.received) remaining.set(key(item), (remaining.get(key(item)) ?? 0) + 1)
  const missing: JsonValue[] = []
  for (const item of pair.expected) {
    const k = key(item)
    const count = remaining.get(k) ?? 0
    if (count > 0) remaining.set(k, count - 1)
    else missing.push(item)
  }
  const added = pair.received.filter((item) => {
    const k = key(item)
    const count = remaining.get(k) ?? 0
    if (count > 0) remaining.set(k, count - 1)
    return count > 0
  })
  if (missing.length === 0 && added.length === 0) return 0
  const at = formatJsonPath(pair.path)
  const parts = [missing.length ? `lost ${missing.map((v) => formatValue(v)).join(', ')}` : '', added.length ? `gained ${added.map((v) => formatValue(v)).join(', ')}` : '']
  reasons.push(
    makeReason(context, kindFor(context, 'argument-changed'), `${at} (compared as a set) ${parts.filter(Boolean).join(' and ')}`, {
      path: at,
      expected: pair.expected,
      received: pair.received,
    }),
  )
  return Math.max(missing.length, added.length)
}

function kindFor(context: ReasonContext, kind: 'argument-changed' | 'argument-added' | 'argument-removed'): DivergenceReasonKind {
  return context.layer === 'result' ? 'result-changed' : kind
}

function isContainer(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null
}

/** Counts leaves (an empty object or array counts as one), the unit of the JSON similarity. */
function leafCount(value: JsonValue | undefined): number {
  if (value === undefined) return 0
  if (typeof value !== 'object' || value === null) return 1
  let count = 0
  if (Array.isArray(value)) for (const item of value) count += leafCount(item)
  else for (const key in value) count += leafCount(value[key])
  return Math.max(1, count)
}

/** RFC 6901 pointer → path segments; a segment is an index when its parent is an array. */
function pointerSegments(pointer: string, root: JsonValue): Array<string | number> {
  if (pointer === '') return []
  const segments: Array<string | number> = []
  let node: JsonValue | undefined = root
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (Array.isArray(node)) {
      segments.push(Number(key))
      node = node[Number(key)]
    } else {
      segments.push(key)
      node = isJsonObject(node) ? node[key] : undefined
    }
  }
  return segments
}

function comparePaths(x: ReadonlyArray<string | number>, y: ReadonlyArray<string | number>): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const a = x[i]!
    const b = y[i]!
    if (a === b) continue
    if (typeof a === 'number' && typeof b === 'number') return a - b
    return String(a) < String(b) ? -1 : 1
  }
  return x.length - y.length
}

function valueAt(root: JsonValue, path: ReadonlyArray<string | number>): JsonValue {
  let node: JsonValue | undefined = root
  for (const segment of path) {
    node = Array.isArray(node) ? node[segment as number] : isJsonObject(node) ? node[segment as string] : undefined
  }
  return node ?? null
}

function toSegment(segment: string | number): PathSegment {
  return typeof segment === 'number' ? { kind: 'index', index: segment } : { kind: 'key', key: segment }
}
