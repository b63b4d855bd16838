import { dirname, join } from 'node:path'
import type { DocExample } from './extract-examples.ts'

// Turns an `@example` block into a module that runs it:
// - the exports of the documented file are in scope, so an example calls what it documents
//   without an import line; anything else it imports itself (relative paths are relative to
//   the documented file, as written there);
// - `expression // → value` asserts that the expression equals the value (deep, strict), and
//   `const name = expression // → value` that `name` does: how an example shows its result;
// - every line keeps its line number and its columns, so an error's position in the module
//   is its position in the documented file.

/** The assertion the arrow comments turn into; the name keeps clear of the example's own. */
const ASSERT = '__retraceDocAssert'
const MODULE = '__retraceDocModule'

/** What the module needs besides the example: where the documented file is, and its exports. */
export interface ExampleScope {
  /** Absolute path of the documented file. */
  file: string
  /** Its exported values (`default:Name` for a default export), in scope unless the example imports the same names. */
  exports: readonly string[]
}

/**
 * The source of a module that runs the example, its lines aligned with the documented file.
 *
 * @example
 * const source = exampleModule({ folder: 'core', file: 'core/src/math.ts', symbol: 'add', line: 3, lines: ['   add(1, 2) // → 3'] }, { file: '/repo/core/src/math.ts', exports: ['add'] })
 * source.split('\n')[2] // → "   __retraceDocAssert.deepStrictEqual(add(1, 2), 3)"
 */
export function exampleModule(example: DocExample, scope: ExampleScope): string {
  const body = codeLines(example.lines)
  const imports: string[] = []
  const imported = new Set<string>()
  for (let index = 0; index < body.length; index++) {
    if (!/^\s*import[\s{*'"]/.test(body[index]!)) continue
    // An import may span lines: it ends at its module specifier.
    let end = index
    while (end < body.length - 1 && !/(?:from\s*|import\s*)['"][^'"]+['"]\s*;?\s*(\/\/.*)?$/.test(body[end]!)) end++
    const statement = body.slice(index, end + 1).join(' ')
    imports.push(withResolvedSpecifier(statement, scope.file))
    for (const name of importedNames(statement)) imported.add(name)
    for (let blank = index; blank <= end; blank++) body[blank] = ''
    index = end
  }
  const implicit = scope.exports
    .map((name) => (name.startsWith('default:') ? { local: name.slice('default:'.length), pattern: `default: ${name.slice('default:'.length)}` } : { local: name, pattern: name }))
    .filter(({ local }) => !imported.has(local))
    .map(({ pattern }) => pattern)
  const header = [
    `import ${ASSERT} from 'node:assert/strict';`,
    `import * as ${MODULE} from ${JSON.stringify(scope.file)};`,
    ...imports.map((statement) => (statement.trim().endsWith(';') ? statement.trim() : `${statement.trim()};`)),
    implicit.length ? `const { ${implicit.join(', ')} } = ${MODULE};` : `void ${MODULE};`,
    // The example runs in a block: its declarations may reuse a name the documented file exports.
    '{',
  ].join(' ')
  const lines = [header, ...Array.from({ length: example.line - 2 }, () => ''), ...withArrowAssertions(body), '}']
  return `${lines.join('\n')}\n`
}

/** The code of the block: inside a fenced ``` block when there is one; a `<caption>` left out. */
function codeLines(lines: readonly string[]): string[] {
  const fenced = lines.findIndex((line) => /^\s*```/.test(line))
  if (fenced < 0) return lines.map((line) => line.replace(/<caption>.*<\/caption>/, (caption) => ' '.repeat(caption.length)))
  let inside = false
  return lines.map((line) => {
    if (/^\s*```/.test(line)) {
      inside = !inside
      return ''
    }
    return inside ? line : ''
  })
}

/** `import { a, b as c } from './x.ts'` written in `/repo/core/src/y.ts` → from `/repo/core/src/x.ts`. */
function withResolvedSpecifier(statement: string, file: string): string {
  return statement.replace(/(['"])(\.{1,2}\/[^'"]+)\1/, (_all, quote: string, specifier: string) => `${quote}${join(dirname(file), specifier)}${quote}`)
}

/** The local names an import statement binds (types included: harmless). */
export function importedNames(statement: string): string[] {
  const clause = /^\s*import\s+(?:type\s+)?([\s\S]*?)\s+from\s+['"]/.exec(statement)?.[1]
  if (!clause) return []
  const names: string[] = []
  const named = /\{([\s\S]*)\}/.exec(clause)?.[1]
  if (named) {
    for (const part of named.split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim()
      if (name) names.push(name)
    }
  }
  const outside = clause.replace(/\{[\s\S]*\}/, '').split(',').map((part) => part.trim()).filter(Boolean)
  for (const part of outside) names.push(part.replace(/^\*\s+as\s+/, ''))
  return names
}

const ARROW = /^(\s*)(.*?\S)\s*\/\/\s*→\s*(.+?)\s*$/
const ARROW_ALONE = /^\s*\/\/\s*→\s*(.+?)\s*$/
const DECLARATION = /^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=/

/**
 * `expression // → value` becomes an assertion on the same line; so does a line of code
 * followed by a line holding only `// → value` (for a long value). Other lines stay as they are.
 */
function withArrowAssertions(body: readonly string[]): string[] {
  const lines = [...body]
  for (let index = 0; index < lines.length; index++) {
    const alone = ARROW_ALONE.exec(lines[index]!)
    if (alone) {
      const last = lines.slice(0, index).findLastIndex((line) => line.trim() !== '')
      if (last < 0) throw new Error(`"// → ${alone[1]}" at line ${index + 1} of the example follows no code`)
      assertStatementEndingAt(lines, last, lines[last]!, alone[1]!)
      continue
    }
    const inline = ARROW.exec(lines[index]!)
    if (inline) assertStatementEndingAt(lines, index, `${inline[1]!}${inline[2]!}`, inline[3]!)
  }
  return lines
}

/** Asserts the statement whose last line is `lines[last]` (its code `code`), which may start lines above. */
function assertStatementEndingAt(lines: string[], last: number, code: string, expected: string): void {
  // The statement starts where its brackets balance.
  let first = last
  let depth = bracketDepth(code)
  while (depth > 0 && first > 0) depth += bracketDepth(lines[--first]!)
  const indent = /^\s*/.exec(lines[first]!)![0]
  if (first === last) {
    lines[last] = asserted(indent, code.trim(), expected)
    return
  }
  lines[first] = `${indent}${ASSERT}.deepStrictEqual(${lines[first]!.trim()}`
  lines[last] = `${code.replace(/;\s*$/, '')}, ${expected})`
}

/** Closing minus opening brackets on a line, strings and comments left out. */
function bracketDepth(line: string): number {
  const code = line.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""').replace(/\/\/.*$/, '')
  let depth = 0
  for (const character of code) {
    if ('([{'.includes(character)) depth--
    else if (')]}'.includes(character)) depth++
  }
  return depth
}

function asserted(indent: string, code: string, expected: string): string {
  // A line may start with `;` (a guard before a parenthesised expression): not part of the value.
  const statement = code.replace(/;$/, '').replace(/^;/, '')
  const declared = DECLARATION.exec(statement)?.[1]
  if (declared) return `${indent}${statement}; ${ASSERT}.deepStrictEqual(${declared}, ${expected})`
  return `${indent}${ASSERT}.deepStrictEqual(${statement}, ${expected})`
}
