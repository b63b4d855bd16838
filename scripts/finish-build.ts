// Runs after `tsc -b`:
// - emits the CommonJS copy of each package that has a tsconfig.cjs.json (for Jest, whose
//   default runtime cannot load ES modules without --experimental-vm-modules) and marks the
//   folder as CommonJS; type-checking happens once, in the ES module build.
// (The bins are committed shims in `cli/bin`, `fake-provider/bin` and `server/bin` that import the build: npm links
// bins before `prepare` builds, and skips a bin whose file does not exist yet.)
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname, '..')
const tsc = join(root, 'node_modules', '.bin', 'tsc')

for (const name of ['cassettes', 'fake-provider', 'protocol', 'divergence', 'detectors', 'core', 'matchers', 'vitest-plugin', 'jest-preset', 'cli']) {
  const config = join(root, name, 'tsconfig.cjs.json')
  if (!existsSync(config)) continue
  execFileSync(tsc, ['-p', config], { stdio: 'inherit' })
  const out = join(root, name, 'dist', 'cjs')
  mkdirSync(out, { recursive: true })
  // The CommonJS folder's package.json is the package scope of its files: a package's subpath
  // imports (`#name`) are repeated there, pointing at their `require` targets.
  const manifest = JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')) as { imports?: Record<string, { require?: string }> }
  const imports = Object.entries(manifest.imports ?? {}).flatMap(([key, target]) =>
    target.require ? [[key, `./${relative(out, join(root, name, target.require)).replaceAll('\\', '/')}`] as const] : [],
  )
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(imports.length ? { type: 'commonjs', imports: Object.fromEntries(imports) } : { type: 'commonjs' })}\n`)
}
