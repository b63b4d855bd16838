import { isJsonObject, type JsonValue } from './json-value.ts'

/**
 * One step of a parsed JSON path: an object key, an array index, `*` (any key or index),
 * or `..` (this and every descendant).
 */
export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'any' } | { kind: 'descend' }

/**
 * Parses `$.a.b[0]`, `$.messages[*].content`, `$..id` or a JSON Pointer (`/a/b/0`).
 * Throws a `TypeError` naming the expression when it cannot be read.
 *
 * @example
 * parseJsonPath('$.messages[*].content')
 * // → [{ kind: 'key', key: 'messages' }, { kind: 'any' }, { kind: 'key', key: 'content' }]
 */
export function parseJsonPath(expression: string): PathSegment[] {
  if (expression.startsWith('/')) {
    return expression
      .slice(1)
      .split('/')
      .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
      .map((key) => (/^\d+$/.test(key) ? { kind: 'index', index: Number(key) } : { kind: 'key', key }))
  }
  const segments: PathSegment[] = []
  let i = expression.startsWith('$') ? 1 : 0
  const fail = (why: string): never => {
    throw new TypeError(`Cannot read JSON path "${expression}" at character ${i}: ${why}. Use forms like $.a.b, $.list[0], $.list[*].name or $..id.`)
  }
  while (i < expression.length) {
    const ch = expression[i]
    if (ch === '.') {
      if (expression[i + 1] === '.') {
        segments.push({ kind: 'descend' })
        i += 2
      } else i += 1
      if (expression[i] === '*') {
        segments.push({ kind: 'any' })
        i += 1
        continue
      }
      const match = /^[^.[\]]+/.exec(expression.slice(i))
      if (!match) fail('expected a key name')
      segments.push({ kind: 'key', key: match![0] })
      i += match![0].length
    } else if (ch === '[') {
      const end = expression.indexOf(']', i)
      if (end < 0) fail('missing ]')
      const inner = expression.slice(i + 1, end).trim()
      if (inner === '*') segments.push({ kind: 'any' })
      else if (/^\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) })
      else if (/^(['"]).*\1$/.test(inner)) segments.push({ kind: 'key', key: inner.slice(1, -1) })
      else fail('expected [n], [*] or [\'key\']')
      i = end + 1
    } else if (i === 0) {
      // A bare leading key (`a.b`) reads like `$.a.b`.
      const match = /^[^.[\]]+/.exec(expression)
      segments.push({ kind: 'key', key: match![0] })
      i += match![0].length
    } else fail(`unexpected "${ch}"`)
  }
  return segments
}

/**
 * Formats concrete path segments as `$.a.b[0]` (keys that are not identifiers are quoted).
 *
 * @example
 * formatJsonPath(['interactions', 0, 'request', 'x-api-key']) // → "$.interactions[0].request['x-api-key']"
 */
export function formatJsonPath(segments: ReadonlyArray<string | number>): string {
  let out = '$'
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += `.${segment}`
    else out += `['${segment.replaceAll("'", "\\'")}']`
  }
  return out
}

/**
 * Calls `visit` for every location in `value` that `segments` selects, with a setter
 * that replaces (or, given `undefined`, removes) the value there.
 */
function visitPath(
  value: JsonValue,
  segments: PathSegment[],
  visit: (current: JsonValue, replace: (next: JsonValue | undefined) => void) => void,
): void {
  const walk = (node: JsonValue, depth: number, replace: (next: JsonValue | undefined) => void): void => {
    if (depth === segments.length) {
      visit(node, replace)
      return
    }
    const segment = segments[depth]!
    if (segment.kind === 'descend') {
      walk(node, depth + 1, replace)
      forEachChild(node, (child, set) => walk(child, depth, set))
      return
    }
    if (segment.kind === 'any') {
      forEachChild(node, (child, set) => walk(child, depth + 1, set))
      return
    }
    if (segment.kind === 'index' && Array.isArray(node) && segment.index < node.length) {
      walk(node[segment.index]!, depth + 1, (next) => {
        if (next === undefined) node.splice(segment.index, 1)
        else node[segment.index] = next
      })
    } else if (segment.kind === 'key' && isJsonObject(node) && Object.hasOwn(node, segment.key)) {
      walk(node[segment.key]!, depth + 1, (next) => {
        if (next === undefined) delete node[segment.key]
        else node[segment.key] = next
      })
    }
  }
  walk(value, 0, () => {})
}

function forEachChild(node: JsonValue, each: (child: JsonValue, set: (next: JsonValue | undefined) => void) => void): void {
  if (Array.isArray(node)) {
    // Walk backwards so removals do not shift the indexes still to visit.
    for (let i = node.length - 1; i >= 0; i--) {
      each(node[i]!, (next) => (next === undefined ? node.splice(i, 1) : (node[i] = next)))
    }
  } else if (isJsonObject(node)) {
    for (const key of Object.keys(node)) {
      each(node[key]!, (next) => (next === undefined ? delete node[key] : (node[key] = next)))
    }
  }
}

/**
 * Returns a deep copy of `value` with every location selected by `paths` removed.
 * The input is not modified.
 *
 * @example
 * omitJsonPaths({ a: 1, b: { id: 'x', c: 2 } }, ['$..id']) // → { a: 1, b: { c: 2 } }
 */
export function omitJsonPaths<T extends JsonValue>(value: T, paths: ReadonlyArray<string | PathSegment[]>): T {
  const parsed = paths.map((path) => (typeof path === 'string' ? parseJsonPath(path) : path))
  // Most bodies hold none of the paths (the default ones are provider-specific): copy only when
  // something is removed, so matching a large body costs a walk along the paths, not a clone.
  let selects = false
  for (const segments of parsed) if (!selects) visitPath(value, segments, () => (selects = true))
  if (!selects) return value
  const copy = structuredClone(value)
  for (const segments of parsed) visitPath(copy, segments, (_current, replace) => replace(undefined))
  return copy
}

/**
 * Replaces, in place, every value selected by `segments` with `transform(value)`.
 *
 * @example
 * const body = { user: { email: 'a@b.c', name: 'Ada' } }
 * transformJsonPath(body, parseJsonPath('$.user.email'), (email) => `[REDACTED:${String(email).length} characters]`)
 * body // → { user: { email: '[REDACTED:5 characters]', name: 'Ada' } }
 */
export function transformJsonPath(value: JsonValue, segments: PathSegment[], transform: (current: JsonValue) => JsonValue): void {
  visitPath(value, segments, (current, replace) => replace(transform(current)))
}
