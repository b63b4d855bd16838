// The packages as `npm pack` makes them: what each tarball holds, which packages its shipped
// code imports, and a blank project installed from the tarballs without the network.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { init, parse } from 'es-module-lexer'

export const repoRoot = join(import.meta.dirname, '..')

/** The folders of the published packages, in dependency order. */
export const PUBLISHED_FOLDERS = ['cassettes', 'fake-provider', 'protocol', 'divergence', 'detectors', 'core', 'matchers', 'vitest-plugin', 'jest-preset', 'server', 'dashboard', 'cli'] as const

/** The fields of a package.json the checks read. */
export interface Manifest {
  name: string
  version: string
  type?: string
  main?: string
  bin?: Record<string, string>
  exports?: unknown
  files?: string[]
  repository?: { type?: string; url?: string; directory?: string }
  homepage?: string
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

/** One package as packed: its folder, manifest, the paths in its tarball and, unless a dry run, the tarball. */
export interface PackedPackage {
  folder: string
  manifest: Manifest
  files: string[]
  tarball?: string
}

/**
 * Reads a JSON file of the repository.
 *
 * @example
 * readJson<Manifest>('core/package.json').name // '@retrace/core'
 */
export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as T
}

/**
 * Packs every published package (`npm pack --json`, lifecycle scripts off: the build is
 * `npm test`'s first step). Without `destination` it is a dry run: the file lists only.
 *
 * @example
 * const packed = packPublished() // [{ folder: 'cassettes', manifest, files: ['README.md', 'dist/index.js', …] }, …]
 */
export function packPublished(destination?: string): PackedPackage[] {
  const args = ['pack', '--json', '--ignore-scripts', ...(destination ? ['--pack-destination', destination] : ['--dry-run'])]
  for (const folder of PUBLISHED_FOLDERS) args.push('--workspace', folder)
  const output = execFileSync('npm', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 })
  const results = JSON.parse(output) as { name: string; filename: string; files: { path: string }[] }[]
  return PUBLISHED_FOLDERS.map((folder) => {
    const manifest = readJson<Manifest>(`${folder}/package.json`)
    const result = results.find((entry) => entry.name === manifest.name)
    if (!result) throw new Error(`npm pack did not pack ${manifest.name}`)
    const files = result.files.map((file) => file.path).sort()
    return destination ? { folder, manifest, files, tarball: join(destination, result.filename) } : { folder, manifest, files }
  })
}

const BUILTINS = new Set(builtinModules)

/**
 * The package a module specifier names; undefined for relative paths and Node built-ins.
 *
 * @example
 * packageNameOf('@retrace/core/fake-provider') // '@retrace/core'
 * packageNameOf('node:http')                   // undefined
 */
export function packageNameOf(specifier: string): string | undefined {
  // '#…' is the package's own subpath import (package.json "imports"), not another package.
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) return undefined
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** What one shipped file needs from other packages. */
export interface FileImports {
  /** Packages it imports (statically, dynamically, types, `declare module` augmentations, `/// <reference types>`). */
  packages: Set<string>
  /** Whether it needs Node's types (a `.d.ts` importing `node:*` or a Node built-in, referencing `node`, or naming `NodeJS.*` or `Buffer`). */
  nodeTypes: boolean
}

/**
 * The packages a shipped `.js` (ES module) or `.d.ts` file imports, read with es-module-lexer
 * (comments and strings are not imports), plus the two declaration forms it does not report.
 *
 * @example
 * await importsOf('export { z } from "zod"', 'index.d.ts') // { packages: Set { 'zod' }, nodeTypes: false }
 */
export async function importsOf(source: string, file: string): Promise<FileImports> {
  await init
  const [imports] = parse(source, file)
  const specifiers = imports.flatMap((entry) => (entry.n === undefined ? [] : [entry.n]))
  if (file.endsWith('.d.ts')) {
    for (const match of source.matchAll(/^\s*declare module ['"]([^'"]+)['"]/gmu)) specifiers.push(match[1]!)
    for (const match of source.matchAll(/^\/\/\/ <reference types="([^"]+)"/gmu)) specifiers.push(match[1]!)
  }
  const packages = new Set(specifiers.flatMap((specifier) => packageNameOf(specifier) ?? []))
  const nodeTypes = file.endsWith('.d.ts') && (specifiers.some((specifier) => specifier === 'node' || specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) || usesNodeGlobals(source))
  packages.delete('node')
  return { packages, nodeTypes }
}

// Node's global types (`NodeJS.ProcessEnv`, `Buffer`) in a declaration file, comments aside.
function usesNodeGlobals(declarations: string): boolean {
  const code = declarations.replace(/\/\*[\s\S]*?\*\//gu, '').replace(/^\s*\/\/.*$/gmu, '')
  return /\bNodeJS\.|\bBuffer\b/u.test(code)
}

/**
 * Packages a file loads or resolves by name (`require('x')`, `require.resolve('x')`,
 * `createRequire(…).resolve('x')`, a `require`-named function such as `requireDependency('x')`).
 *
 * @example
 * requiredBy("const babel = localRequire.resolve('@babel/preset-typescript')") // Set { '@babel/preset-typescript' }
 */
export function requiredBy(source: string): Set<string> {
  // Also `requireDependency('x')` / `createRequire(…)`-made requires with another name, and a
  // template literal's fixed start (`wink-lexicon/src/${file}`).
  const names = [...source.matchAll(/\b(?:require[A-Za-z]*|\.resolve)\(\s*['"`]([^'"`$]+)/gu)].map((match) => packageNameOf(match[1]!))
  return new Set(names.flatMap((name) => name ?? []))
}

const temporaryFolders: string[] = []

/**
 * A new temporary folder, removed by {@link removeTemporaryFolders}.
 *
 * @example
 * const tarballs = temporaryFolder('retrace-tarballs-')
 */
export function temporaryFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  temporaryFolders.push(dir)
  return dir
}

/**
 * Removes every folder {@link temporaryFolder} made (blank projects, tarballs); call it after all tests of a file.
 *
 * @example
 * afterAll(removeTemporaryFolders)
 */
export function removeTemporaryFolders(): void {
  for (const dir of temporaryFolders.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A blank project on disk, installed from tarballs. */
export interface BlankProject {
  dir: string
  write(file: string, content: string): void
  /** Runs an installed package's command, as `npx` would, with a clean Retrace environment plus `env`. */
  run(bin: string, args: string[], env?: Record<string, string>): { code: number | null; output: string }
}

/**
 * A blank project in a temporary folder with `packages` installed the way npm would, minus
 * the network: `@retrace/*` extracted from the tarballs, every other package linked from this
 * repository's node_modules. Only what is asked for, and what the installed packages declare
 * (dependencies and non-optional peers, transitively for `@retrace/*`), is there: an
 * undeclared import fails here as it would for a user.
 *
 * @example
 * const project = createBlankProject(packPublished(dir), ['@retrace/vitest', 'vitest'], { type: 'module' })
 */
export function createBlankProject(packed: PackedPackage[], packages: string[], packageJson: Record<string, unknown> = {}): BlankProject {
  const dir = temporaryFolder('retrace-blank-')
  const modules = join(dir, 'node_modules')
  const install = (name: string) => {
    const target = join(modules, name)
    if (existsSync(target)) return
    mkdirSync(dirname(target), { recursive: true })
    const ours = packed.find((entry) => entry.manifest.name === name)
    if (!ours) {
      const linked = join(repoRoot, 'node_modules', name)
      if (!existsSync(linked)) throw new Error(`${name} is not installed in this repository, so a blank project cannot have it`)
      symlinkSync(linked, target, 'dir')
      return
    }
    if (!ours.tarball) throw new Error('createBlankProject needs packed tarballs, not a dry run')
    mkdirSync(target)
    execFileSync('tar', ['-xzf', ours.tarball, '-C', target, '--strip-components=1'])
    const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = ours.manifest
    for (const dependency of Object.keys(dependencies)) install(dependency)
    for (const peer of Object.keys(peerDependencies)) if (!peerDependenciesMeta[peer]?.optional) install(peer)
  }
  for (const name of packages) install(name)
  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), content)
  }
  write('package.json', `${JSON.stringify({ name: 'blank-project', version: '1.0.0', private: true, ...packageJson }, null, 2)}\n`)
  return { dir, write, run: (bin, args, env = {}) => runBin(dir, bin, args, env) }
}

function runBin(dir: string, bin: string, args: string[], env: Record<string, string>): { code: number | null; output: string } {
  const base: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name === 'CI' || name.startsWith('RETRACE_') || name.startsWith('VITEST') || name.startsWith('JEST_') || name === 'NODE_OPTIONS' || name.startsWith('npm_')) continue
    base[name] = value
  }
  const [name, path] = BIN_PATHS[bin] ?? [bin, '']
  const script = path ? [join(dir, 'node_modules', name, path)] : []
  const result = spawnSync(process.execPath, [...script, ...args], { cwd: dir, env: { ...base, FORCE_COLOR: '0', NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, output: `${result.stdout}${result.stderr}` }
}

// The commands `npx <bin>` runs in a blank project: [package, script]; `node` runs a file itself.
const BIN_PATHS: Record<string, [string, string]> = {
  vitest: ['vitest', 'vitest.mjs'],
  jest: ['jest', 'bin/jest.js'],
  tsc: ['typescript', 'bin/tsc'],
  'retrace-fake-provider': ['@retrace/fake-provider', 'bin/retrace-fake-provider.js'],
  retrace: ['@retrace/cli', 'bin/retrace.js'],
}
