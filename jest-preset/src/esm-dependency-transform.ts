// Jest transform for the ES-module-only dependency of Retrace's secret scan (secretlint's
// rule preset, a 230 KB bundle). Its only module syntax is `import x from 'node:…'` lines and
// one `export { … }` list, so rewriting those lines makes it CommonJS in about a millisecond,
// where Babel takes seconds on every cold cache. A file of any other shape goes through the
// preset's Babel transform instead. When Jest loads the file as an ES module (require(esm)
// under `--experimental-vm-modules` on Node 24.9+, where it passes `supportsStaticESM`), the
// bundle is already what Jest wants and is returned as it is.
import babelTransform from './transform.ts'

/** The part of Jest's transformer interface this file uses. */
interface SyncTransformer {
  canInstrument: boolean
  process(source: string, filename: string, options: { supportsStaticESM?: boolean }): { code: string; map?: unknown }
}

const IMPORT_LINE = /^import ([A-Za-z_$][\w$]*) from '(node:[\w/]+)';$/gm
const EXPORT_LINE = /^export \{([^}]*)\};$/gm
const OTHER_MODULE_SYNTAX = /^\s*(?:import\s+[\w{*'"]|export\s)|\bimport\.meta\b/m

/**
 * The CommonJS form of a bundle whose module syntax is only default imports of Node
 * built-ins and one export list, or undefined when the file has any other shape.
 *
 * @example
 * toCommonJs("import path from 'node:path';\nconst a = 1;\nexport { a };") // '"use strict";\nconst path = require(\'node:path\');\n…'
 */
export function toCommonJs(source: string): string | undefined {
  const exports: string[] = []
  const body = source
    .replace(IMPORT_LINE, (_line, name: string, from: string) => `const ${name} = require('${from}');`)
    .replace(EXPORT_LINE, (_line, list: string) => {
      for (const item of list.split(',').map((entry) => entry.trim()).filter(Boolean)) {
        const [local, exported = local] = item.split(/\s+as\s+/)
        exports.push(`${JSON.stringify(exported)}: ${local}`)
      }
      return ''
    })
  if (exports.length === 0 || OTHER_MODULE_SYNTAX.test(body)) return undefined
  return `"use strict";\n${body}\nObject.defineProperty(exports, '__esModule', { value: true });\nObject.assign(exports, { ${exports.join(', ')} });\n`
}

const transformer: SyncTransformer = {
  canInstrument: false,
  process(source, filename, options) {
    if (options.supportsStaticESM) return { code: source }
    const code = toCommonJs(source)
    return code === undefined ? (babelTransform as unknown as SyncTransformer).process(source, filename, options) : { code }
  },
}

export default transformer
