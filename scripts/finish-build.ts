// Runs after `tsc -b`:
// - emits the CommonJS copy of each package that has a tsconfig.cjs.json (for Jest, whose
//   default runtime cannot load ES modules without --experimental-vm-modules) and marks the
//   folder as CommonJS; type-checking happens once, in the ES module build.
// (The bins are committed shims in `cli/bin`, `core/bin` and `server/bin` that import the build: npm links
// bins before `prepare` builds, and skips a bin whose file does not exist yet.)
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const tsc = join(root, 'node_modules', '.bin', 'tsc')

for (const name of ['cassettes', 'protocol', 'divergence', 'core', 'matchers', 'vitest-plugin', 'jest-preset', 'cli']) {
  const config = join(root, name, 'tsconfig.cjs.json')
  if (!existsSync(config)) continue
  execFileSync(tsc, ['-p', config], { stdio: 'inherit' })
  const out = join(root, name, 'dist', 'cjs')
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n')
}
