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

interface Found {
  problem: 'too-deep' | 'number-out-of-range'
  /** Path segments, innermost first (collected while the recursion unwinds). */
  segments: Array<string | number>
  value?: number
}

/**
 * Checks what `JSON.parse` accepts silently: nesting deeper than {@link MAX_CASSETTE_DEPTH}
 * (everything recursive downstream would overflow the stack), numbers beyond a double
 * (`1e309` parses to `Infinity` and is written back as `null`), and duplicate keys (the last
 * one silently wins). `value` is `JSON.parse(text)`.
 *
 * The walk recurses, but never deeper than the limit it enforces. Duplicates are found by
 * counting: every `:` in valid JSON text is either an object member's or inside a string, so
 * colons in the text minus colons in the parsed strings and keys is the number of members
 * the text had; more than the parsed objects kept means a key repeated. Only then is the
 * text parsed again (with jsonc-parser) to say which key, where. Without `text` (a value
 * built in memory, which cannot hold a key twice) that check is skipped.
 *
 * @example
 * checkJsonStructure(JSON.parse('{"a":1,"a":2}'), '{"a":1,"a":2}')?.problem // → 'duplicate-key'
 * checkJsonStructure(JSON.parse('{"big":1e309}'))?.path // → '$.big'
 * checkJsonStructure({ fine: [1, 2] }) // → undefined
 */
export function checkJsonStructure(value: unknown, text?: string): JsonStructureProblem | undefined {
  const counting = text !== undefined
  let members = 0
  let colonsInStrings = 0
  const countColons = (string: string) => {
    for (let at = string.indexOf(':'); at >= 0; at = string.indexOf(':', at + 1)) colonsInStrings++
  }
  const visitChild = (child: unknown, depth: number): Found | undefined => {
    if (typeof child === 'string') {
      if (counting) countColons(child)
    } else if (typeof child === 'number') {
      if (!Number.isFinite(child)) return { problem: 'number-out-of-range', segments: [], value: child }
    } else if (typeof child === 'object' && child !== null) {
      return visit(child, depth + 1)
    }
    return undefined
  }
  const visit = (node: object, depth: number): Found | undefined => {
    if (depth > MAX_CASSETTE_DEPTH) return { problem: 'too-deep', segments: [] }
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        const found = visitChild(node[index], depth)
        if (found) return (found.segments.push(index), found)
      }
    } else {
      for (const key in node) {
        members++
        if (counting) countColons(key)
        const found = visitChild((node as Record<string, unknown>)[key], depth)
        if (found) return (found.segments.push(key), found)
      }
    }
    return undefined
  }
  const found = visitChild(value, 0)
  if (found) {
    const path = formatJsonPath(found.segments.reverse())
    if (found.problem === 'number-out-of-range') {
      return {
        problem: 'number-out-of-range',
        path,
        detail: `${path} is a number JSON cannot carry (${found.value}: a literal such as 1e309 is beyond a double, reads as Infinity and would be written back as null)`,
        hint: 'Write it as a string, or as a number within ±1.7976931348623157e308. The file was not changed.',
      }
    }
    return {
      problem: 'too-deep',
      path,
      // The path is as deep as the nesting: its start says where, the full one is in `path`.
      detail: `it nests deeper than ${MAX_CASSETTE_DEPTH} levels, at ${path.length > 160 ? `${path.slice(0, 160)}…` : path}`,
      hint: 'No recorded API answer nests that deep: the file was damaged or generated. Restore it from git, or delete it and record again (Retrace stores a body that deep as text).',
    }
  }
  if (counting && colonsOf(text) !== members + colonsInStrings) return findDuplicateKey(text)
  return undefined
}

/**
 * Colons in the text, counting a `\u003a` escape as the colon it decodes to (overcounting
 * only sends a file down the exact, slower path).
 */
function colonsOf(text: string): number {
  let count = 0
  for (let at = text.indexOf(':'); at >= 0; at = text.indexOf(':', at + 1)) count++
  for (let at = text.indexOf('\\u003'); at >= 0; at = text.indexOf('\\u003', at + 1)) {
    if (text[at + 5] === 'a' || text[at + 5] === 'A') count++
  }
  return count
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
    // Unreachable for text JSON.parse accepted and nested within the limit; count stays the verdict.
    return {
      problem: 'duplicate-key',
      path: '$',
      detail: 'an object in it has the same key twice; a JSON reader silently keeps only the last one',
      hint: 'Find the repeated key, keep the one you mean and delete the other, or restore the file from git. The file was not changed.',
    }
  }
  // The count is an upper bound (an escaped colon in the text): the exact pass decides.
  return found
}
