// Loading an ES-module-only dependency from CommonJS without Node's require(esm) or a Jest
// transform: the CommonJS build's route to secretlint's rule preset (see
// `secretlint-preset-cjs.ts`). Jest's CommonJS runtime cannot load an ES module, and a Jest
// transform for node_modules holds only in projects whose config keeps it. The preset is one
// rollup bundle whose only module syntax is `import x from 'node:…'` lines and one
// `export { … }` list, so rewriting those lines makes it CommonJS in under a millisecond
// (Babel takes seconds on it).
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const IMPORT_LINE = /^import ([A-Za-z_$][\w$]*) from '(node:[\w/]+)';$/
const EXPORT_LINE = /^export \{([^}]*)\};$/
// What follows `import` / `export` at a line start when the line is module syntax.
const AFTER_KEYWORD = /[\s{*'"]/

/**
 * The CommonJS form of a bundle whose module syntax is only default imports of Node
 * built-ins and one export list, each on a line of its own; undefined when a line starts
 * with other module syntax or the bundle uses `import.meta`. (Module syntax inside a line
 * is for the compiler to reject: see `loadEsModuleBundle`.)
 *
 * @example
 * toCommonJs("import path from 'node:path';\nconst a = 1;\nexport { a };").includes("require('node:path')") // → true
 */
export function toCommonJs(source: string): string | undefined {
  const exports: string[] = []
  let out = '"use strict";\n'
  let copied = 0
  for (const start of moduleSyntaxLines(source)) {
    const newline = source.indexOf('\n', start)
    const end = newline === -1 ? source.length : newline
    const line = source.slice(start, end).trimEnd()
    const imported = IMPORT_LINE.exec(line)
    const exported = imported ? null : EXPORT_LINE.exec(line)
    if (!imported && !exported) return undefined
    out += source.slice(copied, start) + (imported ? `const ${imported[1]} = require('${imported[2]}');` : '')
    copied = end
    for (const item of exported ? exported[1]!.split(',').map((entry) => entry.trim()).filter(Boolean) : []) {
      const [local, name = local] = item.split(/\s+as\s+/)
      exports.push(`${JSON.stringify(name)}: ${local}`)
    }
  }
  if (exports.length === 0 || source.includes('import.meta')) return undefined
  return `${out}${source.slice(copied)}\nObject.defineProperty(exports, '__esModule', { value: true });\nObject.assign(exports, { ${exports.join(', ')} });\n`
}

// Where the lines that start with `import` or `export` syntax begin, in order. indexOf, not a
// multi-line regex: on this two-byte 230 KB text the regexes took ~5 ms, this ~0.6 ms, and
// Jest pays it again in every test file.
function moduleSyntaxLines(source: string): number[] {
  const starts: number[] = []
  for (const keyword of ['import', 'export']) {
    const isStatement = (start: number) => AFTER_KEYWORD.test(source.charAt(start + keyword.length))
    if (source.startsWith(keyword) && isStatement(0)) starts.push(0)
    for (let at = source.indexOf(`\n${keyword}`); at !== -1; at = source.indexOf(`\n${keyword}`, at + 1)) {
      if (isStatement(at + 1)) starts.push(at + 1)
    }
  }
  return starts.sort((a, b) => a - b)
}

/**
 * The exports of the ES module bundle `file`, run as CommonJS in the caller's realm with the
 * caller's `require` (for the `node:` built-ins it imports). A bundle of another shape goes to
 * `require` itself: Node's own require(esm), or whatever transform the host runtime has.
 *
 * @example
 * import { createRequire } from 'node:module'
 * const require = createRequire(import.meta.url)
 * const preset = loadEsModuleBundle(require.resolve('@secretlint/secretlint-rule-preset-recommend'), require) as { rules: unknown[] }
 * preset.rules.length > 10 // → true
 */
export function loadEsModuleBundle(file: string, require: (id: string) => unknown): Record<string, unknown> {
  const code = toCommonJs(readFileSync(file, 'utf8'))
  let run: ((module: { exports: Record<string, unknown> }, exports: Record<string, unknown>, require: (id: string) => unknown) => void) | undefined
  try {
    // `Function`, not `vm`: the code must run in the realm of the caller (a Jest test's context).
    if (code !== undefined) run = new Function('module', 'exports', 'require', `${code}\n//# sourceURL=${pathToFileURL(file).href}`) as typeof run
  } catch {
    // Module syntax the line rewrite does not see (inside a line): the bundle is of another shape.
  }
  if (!run) return require(file) as Record<string, unknown>
  const module = { exports: {} as Record<string, unknown> }
  run(module, module.exports, require)
  return module.exports
}
