// Runs after `tsc -b`:
// - emits the CommonJS copy of each package that has a tsconfig.cjs.json (for Jest, whose
//   default runtime cannot load ES modules without --experimental-vm-modules) and marks the
//   folder as CommonJS; type-checking happens once, in the ES module build;
// - makes the `retrace` binary executable (npm links bins before `prepare` builds them, and
//   tsc writes files without the executable bit).
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const tsc = join(root, 'node_modules', '.bin', 'tsc')

for (const name of ['cassettes', 'core', 'matchers', 'vitest-plugin', 'jest-preset', 'cli']) {
  const config = join(root, name, 'tsconfig.cjs.json')
  if (!existsSync(config)) continue
  execFileSync(tsc, ['-p', config], { stdio: 'inherit' })
  const out = join(root, name, 'dist', 'cjs')
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n')
}

const bin = join(root, 'cli', 'dist', 'bin', 'retrace.js')
if (existsSync(bin)) chmodSync(bin, 0o755)
