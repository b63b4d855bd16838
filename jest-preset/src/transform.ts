// Jest transform used by the preset: TypeScript through Jest's own Babel (7), so `.ts` test
// files work without a Babel config of your own. ES module syntax becomes CommonJS only where
// Jest loads the file as CommonJS: under native ESM (`node --experimental-vm-modules`, an
// `.mjs` file or a `"type": "module"` package) Jest asks for ESM (`supportsStaticESM`) and the
// file keeps its `import`s, as it would with Jest's documented `transform: {}`.
import babelJest from 'babel-jest'
import { createRequire } from 'node:module'

const localRequire = createRequire(__filename)
const typescript = [localRequire.resolve('@babel/preset-typescript'), { onlyRemoveTypeImports: false }]
const common = { babelrc: false, configFile: false, presets: [typescript] }

// babel-jest creates its transformer synchronously.
type Transformer = Awaited<ReturnType<typeof babelJest.createTransformer>>
const toCommonJs = babelJest.createTransformer({ ...common, plugins: [localRequire.resolve('@babel/plugin-transform-modules-commonjs')] }) as Transformer
const keepEsm = babelJest.createTransformer(common) as Transformer
type TransformerOptions = Parameters<Transformer['process']>[2]

const forFile = (options: TransformerOptions): Transformer => (options.supportsStaticESM ? keepEsm : toCommonJs)

const transformer: Transformer = {
  canInstrument: true,
  getCacheKey: (source, path, options) => forFile(options).getCacheKey!(source, path, options),
  getCacheKeyAsync: (source, path, options) => forFile(options).getCacheKeyAsync!(source, path, options),
  process: (source, path, options) => forFile(options).process(source, path, options),
  processAsync: (source, path, options) => forFile(options).processAsync!(source, path, options),
}

export default transformer
