// Jest transform used by the preset: TypeScript and ES module syntax to CommonJS with Jest's
// own Babel (7), so `import` and `.ts` test files work without a Babel config of your own.
import babelJest from 'babel-jest'
import { createRequire } from 'node:module'

const localRequire = createRequire(__filename)

export default babelJest.createTransformer({
  babelrc: false,
  configFile: false,
  presets: [[localRequire.resolve('@babel/preset-typescript'), { onlyRemoveTypeImports: false }]],
  plugins: [localRequire.resolve('@babel/plugin-transform-modules-commonjs')],
})
