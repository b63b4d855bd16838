import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { expect, test } from 'vitest'
import transformer, { toCommonJs } from './esm-dependency-transform.ts'

const require = createRequire(import.meta.url)

test("secretlint's rule preset becomes a CommonJS module with the same exports", () => {
  const file = require.resolve('@secretlint/secretlint-rule-preset-recommend', { paths: [require.resolve('@retrace/cassettes/package.json')] })
  const code = toCommonJs(readFileSync(file, 'utf8'))
  expect(code).toBeDefined()
  const module = { exports: {} as { rules?: unknown[]; creator?: unknown } }
  new Function('module', 'exports', 'require', code!)(module, module.exports, require)
  expect(module.exports.rules?.length).toBeGreaterThan(20)
  expect(module.exports.creator).toBeDefined()
})

// Under `node --experimental-vm-modules` on Node 24.9+, Jest loads a `"type": "module"` file that
// CommonJS code require()s as an ES module (require(esm)) and says so with `supportsStaticESM`:
// CommonJS output would then run where `require` is not defined.
test('the bundle stays an ES module when Jest loads it as one', () => {
  const source = "import path from 'node:path';\nconst a = path.sep;\nexport { a };\n"
  expect(transformer.process(source, '/p/node_modules/x/module/index.js', { supportsStaticESM: true }).code).toBe(source)
  expect(transformer.process(source, '/p/node_modules/x/module/index.js', { supportsStaticESM: false }).code).toContain("const path = require('node:path');")
})

test('a module of any other shape is left to Babel', () => {
  expect(toCommonJs("import { join } from 'node:path'\nexport const a = join('a')\n")).toBeUndefined()
  expect(toCommonJs("import x from 'node:path';\nconsole.log(import.meta.url)\nexport { x };")).toBeUndefined()
  expect(toCommonJs("import x from 'node:path';\nconst y = 1;\nexport { x, y as z };")).toContain('"z": y')
})
