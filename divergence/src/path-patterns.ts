import { parseJsonPath, type PathSegment } from '@retrace/cassettes'

/** Parsed JSON path patterns (`$.arguments.tags`, `$..id`, `$.result.items[*].sku`). */
export type PathPatterns = readonly PathSegment[][]

/**
 * Parses path patterns once per comparison.
 *
 * @example
 * compilePathPatterns(['$..id']) // [[{ kind: 'descend' }, { kind: 'key', key: 'id' }]]
 */
export function compilePathPatterns(paths: readonly string[] | undefined): PathPatterns {
  return (paths ?? []).map((path) => parseJsonPath(path))
}

/**
 * True when a concrete path (keys and indexes) is selected by any of the patterns.
 *
 * @example
 * matchesAnyPath(compilePathPatterns(['$..id']), ['arguments', 'user', 'id']) // true
 */
export function matchesAnyPath(patterns: PathPatterns, path: ReadonlyArray<string | number>): boolean {
  for (const pattern of patterns) if (matchFrom(pattern, 0, path, 0)) return true
  return false
}

function matchFrom(pattern: readonly PathSegment[], p: number, path: ReadonlyArray<string | number>, s: number): boolean {
  if (p === pattern.length) return s === path.length
  const segment = pattern[p]!
  if (segment.kind === 'descend') {
    // `..` matches zero or more segments.
    for (let k = s; k <= path.length; k++) if (matchFrom(pattern, p + 1, path, k)) return true
    return false
  }
  if (s === path.length) return false
  const here = path[s]!
  const ok =
    segment.kind === 'any' ||
    (segment.kind === 'key' && String(here) === segment.key) ||
    (segment.kind === 'index' && here === segment.index)
  return ok && matchFrom(pattern, p + 1, path, s + 1)
}
