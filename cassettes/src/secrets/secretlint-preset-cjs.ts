// The CommonJS build's `#secretlint-preset` (package.json `imports`, `require` condition). The
// preset ships only as an ES module. `require()` loads that on Node 22.12+, but not in Jest's
// default (CommonJS) runtime unless the project's transform settings cover this one file in
// node_modules, which a project's own `transformIgnorePatterns` silently undoes. So the bundle
// is read and run as CommonJS here: the same in Node, in Jest with or without the preset, and
// in Jest's native-ESM mode.
import { loadEsModuleBundle } from './es-module-bundle.ts'

/** secretlint's recommended rule creators (see `secretlint-rules.ts` for their use). */
export const rules = loadEsModuleBundle(require.resolve('@secretlint/secretlint-rule-preset-recommend'), require).rules as readonly unknown[]
