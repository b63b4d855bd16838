import { afterAll, beforeAll, expect, test } from 'vitest'
import { createBlankProject, packPublished, removeTemporaryFolders, temporaryFolder, type PackedPackage } from './packed-packages.ts'

// The shipped declaration files type-check in full (skipLibCheck off) in a blank project that
// has only the packages and what they declare: an undeclared type dependency (Node's types,
// a Jest module) is an error here, as it is for a user. Needs the build (`npm test` builds first).

let packed: PackedPackage[]
beforeAll(() => {
  packed = packPublished(temporaryFolder('retrace-tarballs-'))
}, 120_000)
afterAll(removeTemporaryFolders)

const TSCONFIG = `${JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2023', strict: true, noEmit: true, skipLibCheck: false, types: [] }, include: ['*.ts', 'node_modules/@retrace/*/dist/**/*.d.ts'] }, null, 2)}\n`

// The packages without peers: Vitest's and Jest's own types load Node's and would hide a
// missing one. (@retrace/vitest and @retrace/jest-preset are type-checked, skipLibCheck off,
// by their README examples in readme-examples.test.ts.)
test('@retrace/cassettes, core, matchers and cli type-check with only their declared dependencies', () => {
  const packages = ['@retrace/cassettes', '@retrace/core', '@retrace/matchers', '@retrace/cli']
  const project = createBlankProject(packed, [...packages, 'typescript'], { type: 'module' })
  project.write('tsconfig.json', TSCONFIG)
  project.write('uses.ts', packages.map((name, index) => `import * as package${index} from '${name}'\nvoid package${index}\n`).join(''))
  const result = project.run('tsc', ['-p', '.'])
  expect(result.output).toBe('')
  expect(result.code).toBe(0)
}, 120_000)
