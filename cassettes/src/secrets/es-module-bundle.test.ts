import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { loadEsModuleBundle, toCommonJs } from './es-module-bundle.ts'

const require = createRequire(import.meta.url)
const PRESET = require.resolve('@secretlint/secretlint-rule-preset-recommend')

test("secretlint's rule preset, loaded as CommonJS, has the ES module's exports", async () => {
  const loaded = loadEsModuleBundle(PRESET, require) as { rules: { meta: { id: string } }[]; creator: unknown }
  const esm = (await import('@secretlint/secretlint-rule-preset-recommend')) as unknown as typeof loaded
  expect(loaded.rules.map((rule) => rule.meta.id)).toEqual(esm.rules.map((rule) => rule.meta.id))
  expect(loaded.rules.length).toBeGreaterThan(20)
  expect(loaded.creator).toBeDefined()
})

test('the rewrite changes only the module syntax lines of the bundle', () => {
  const source = readFileSync(PRESET, 'utf8')
  const code = toCommonJs(source)!
  expect(code).not.toMatch(/^(?:import|export)[\s{*'"]/m)
  // Line for line after the "use strict" line (stack traces keep the bundle's line numbers).
  const lines = source.split('\n')
  const changed = code.split('\n').slice(1).filter((line, index) => line !== lines[index])
  expect(changed).toEqual([
    "const path = require('node:path');",
    '',
    "Object.defineProperty(exports, '__esModule', { value: true });",
    "Object.assign(exports, { \"creator\": creator, \"rules\": rules });",
    '',
  ])
})

test('a module of any other shape is not rewritten', () => {
  expect(toCommonJs("import { join } from 'node:path'\nexport const a = join('a')\n")).toBeUndefined()
  expect(toCommonJs("import x from 'node:path';\nconsole.log(import.meta.url)\nexport { x };")).toBeUndefined()
  expect(toCommonJs("import x from 'node:path';\nconst y = 1;\nexport { x, y as z };")).toContain('"z": y')
  expect(toCommonJs("import x from 'node:path';\nconst important = 1;\nexport { important };")).toContain('const important = 1;')
})

test('a bundle of another shape is loaded by require itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-es-bundle-'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }')
  writeFileSync(join(dir, 'named.js'), "import { sep } from 'node:path';\nexport const separator = sep;\n")
  writeFileSync(join(dir, 'indented.js'), "import path from 'node:path';\nconst sep = path.sep;\n  export { sep as separator };\nexport { path };\n")
  expect(loadEsModuleBundle(join(dir, 'named.js'), require)).toMatchObject({ separator: '/' })
  expect(loadEsModuleBundle(join(dir, 'indented.js'), require)).toMatchObject({ separator: '/' })
})
