import { visit } from 'jsonc-parser'
import { MAX_CASSETTE_DEPTH } from '../json/json-depth.ts'
import { formatJsonPath } from '../json/json-path.ts'
import { textPosition, type TextPosition } from './text-position.ts'

/** What `JSON.parse` lets through that a cassette must not hold. */
export interface JsonStructureProblem {
  problem: 'too-deep' | 'number-out-of-range' | 'duplicate-key'
  /** JSON path of the offending value (for a duplicate key: of the object holding it). */
  path: string
  detail: string
  hint: string
  /** Where in the text, when known (duplicate keys). */
  position?: TextPosition
}

interface Frame {
  node: unknown[] | Record<string, unknown>
  keys: string[] | undefined
  /** Index of the next child to visit. */
  next: number
}

/**
 * Checks what `JSON.parse` accepts silently: nesting deeper than {@link MAX_CASSETTE_DEPTH}
 * (everything recursive downstream would overflow the stack), numbers beyond a double
 * (`1e309` parses to `Infinity` and is written back as `null`), and duplicate keys (the last
 * one silently wins). `value` is `JSON.parse(text)`.
 *
 * The walk is iterative. Duplicates are found by counting: in valid JSON every object member
 * has exactly one `:` outside strings, so more colons than parsed keys means a key repeated;
 * only then is the text parsed again (with jsonc-parser) to say which key, where. Without
 * `text` (a value built in memory, which cannot hold a key twice) that check is skipped.
 *
 * @example
 * checkJsonStructure(JSON.parse('{"a":1,"a":2}'), '{"a":1,"a":2}') // { problem: 'duplicate-key', path: '$', … }
 */
export function checkJsonStructure(value: unknown, text?: string): JsonStructureProblem | undefined {
  let members = 0
  if (value === null || typeof value !== 'object') return checkScalar(value, '$')
  const stack: Frame[] = []
  const push = (node: object): JsonStructureProblem | undefined => {
    const keys = Array.isArray(node) ? undefined : Object.keys(node)
    if (keys) members += keys.length
    stack.push({ node: node as Frame['node'], keys, next: 0 })
    if (stack.length > MAX_CASSETTE_DEPTH) {
      return {
        problem: 'too-deep',
        path: pathOf(stack, stack.length - 1),
        detail: `it nests deeper than ${MAX_CASSETTE_DEPTH} levels`,
        hint: `No recorded API answer nests that deep: the file was damaged or generated. Restore it from git, or delete it and record again (Retrace stores a body that deep as text).`,
      }
    }
    return undefined
  }
  const first = push(value)
  if (first) return first
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const length = frame.keys ? frame.keys.length : (frame.node as unknown[]).length
    if (frame.next >= length) {
      stack.pop()
      continue
    }
    const index = frame.next++
    const child = frame.keys ? (frame.node as Record<string, unknown>)[frame.keys[index]!] : (frame.node as unknown[])[index]
    if (child !== null && typeof child === 'object') {
      const problem = push(child)
      if (problem) return problem
    } else if (typeof child === 'number' && !Number.isFinite(child)) {
      return checkScalar(child, pathOf(stack, stack.length))
    }
  }
  if (text !== undefined && countMembers(text) !== members) return findDuplicateKey(text)
  return undefined
}

function checkScalar(value: unknown, path: string): JsonStructureProblem | undefined {
  if (typeof value !== 'number' || Number.isFinite(value)) return undefined
  return {
    problem: 'number-out-of-range',
    path,
    detail: `${path} is a number JSON cannot carry (${value}: a literal such as 1e309 is beyond a double, reads as Infinity and would be written back as null)`,
    hint: 'Write it as a string, or as a number within ±1.7976931348623157e308. The file was not changed.',
  }
}

/** The JSON path through the children the first `frames` frames are visiting. */
function pathOf(stack: readonly Frame[], frames: number): string {
  const segments: Array<string | number> = []
  for (let i = 0; i < frames; i++) {
    const frame = stack[i]!
    const index = frame.next - 1
    segments.push(frame.keys ? frame.keys[index]! : index)
  }
  return formatJsonPath(segments)
}

/**
 * Object members in valid JSON text: its colons outside strings. Strings are skipped with
 * `indexOf`, so the cost is a fraction of `JSON.parse`.
 */
function countMembers(text: string): number {
  let count = 0
  let from = 0
  let colon = text.indexOf(':')
  for (;;) {
    const quote = text.indexOf('"', from)
    const end = quote < 0 ? text.length : quote
    if (colon >= 0 && colon < from) colon = text.indexOf(':', from)
    while (colon >= 0 && colon < end) {
      count++
      colon = text.indexOf(':', colon + 1)
    }
    if (quote < 0) return count
    let close = quote
    for (;;) {
      close = text.indexOf('"', close + 1)
      if (close < 0) return count
      let backslashes = 0
      while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++
      if (backslashes % 2 === 0) break
    }
    from = close + 1
  }
}

function findDuplicateKey(text: string): JsonStructureProblem | undefined {
  const seen: Array<Set<string>> = []
  let found: JsonStructureProblem | undefined
  try {
    visit(
      text,
      {
        onObjectBegin: () => {
          seen.push(new Set())
          return !found
        },
        onObjectEnd: () => {
          seen.pop()
        },
        onObjectProperty: (key, offset, _length, _line, _column, pathSupplier) => {
          const keys = seen[seen.length - 1]!
          if (found || !keys.has(key)) return void keys.add(key)
          const path = formatJsonPath(pathSupplier().filter((segment) => segment !== ''))
          found = {
            problem: 'duplicate-key',
            path,
            position: textPosition(text, offset),
            detail: `the object at ${path} has the key ${JSON.stringify(key)} twice (the second at ${textPosition(text, offset).label}); a JSON reader silently keeps only the last one`,
            hint: `Keep the one you mean and delete the other (a merge of two recordings often does this), restore the file from git, or record again. The file was not changed.`,
          }
        },
      },
      { disallowComments: true, allowTrailingComma: false },
    )
  } catch {
    // Counting said there is a duplicate; if locating it failed, say so without a place.
  }
  return (
    found ?? {
      problem: 'duplicate-key',
      path: '$',
      detail: 'an object in it has the same key twice; a JSON reader silently keeps only the last one',
      hint: 'Find the repeated key, keep the one you mean and delete the other, or restore the file from git. The file was not changed.',
    }
  )
}
