import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { importsOf, packPublished, readJson, repoRoot, requiredBy, type PackedPackage } from './packed-packages.ts'

// What `npm publish` would ship, read from `npm pack --dry-run --json` (run `npm run build`
// first; `npm test` does): only what users need, every import declared, nothing declared for
// nothing, and READMEs and metadata that work on the registry.

let packed: PackedPackage[]
beforeAll(() => {
  packed = packPublished()
}, 60_000)

const root = readJson<{ repository?: { url?: string }; workspaces: string[] }>('package.json')
const repositoryUrl = root.repository?.url ?? '(none)'
const repository = repositoryUrl.replace(/^git\+/u, '').replace(/\.git$/u, '')
const folders = root.workspaces.filter((folder) => !folder.startsWith('examples'))
const read = (pkg: PackedPackage, file: string) => readFileSync(join(repoRoot, pkg.folder, file), 'utf8')
const pkg = (folder: string) => packed.find((entry) => entry.folder === folder)!

describe.each(folders)('%s as packed', (folder) => {
  test('ships no tests, test fixtures or build caches', () => {
    const shipped = pkg(folder).files.filter((file) => /(^|\/)(test|tests|__tests__|fixtures|__cassettes__)\/|\.(test|spec|e2e)\.[cm]?[jt]sx?$|\.tsbuildinfo$/u.test(file))
    expect(shipped).toEqual([])
  })

  test('ships declaration maps with the sources they point at, and no JavaScript source maps', () => {
    const { files } = pkg(folder)
    expect(files.filter((file) => file.endsWith('.js.map'))).toEqual([])
    const unresolved = files
      .filter((file) => file.endsWith('.d.ts.map'))
      .flatMap((file) => {
        const map = JSON.parse(read(pkg(folder), file)) as { sources: string[] }
        return map.sources.map((source) => join(file, '..', source)).filter((source) => !files.includes(source))
      })
    expect(unresolved).toEqual([])
  })

  test('every export, main and bin target is in the tarball', () => {
    const { manifest, files } = pkg(folder)
    const targets = [...exportTargets(manifest.exports), ...(manifest.main ? [manifest.main] : []), ...Object.values(manifest.bin ?? {})]
    expect(targets.length).toBeGreaterThan(0)
    expect(targets.map((target) => target.replace(/^\.\//u, '')).filter((target) => !files.includes(target))).toEqual([])
  })

  test('declares every package its shipped code and types import', async () => {
    const { manifest, files } = pkg(folder)
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), manifest.name])
    const missing = new Set<string>()
    for (const file of files.filter((path) => /\.(js|d\.ts)$/u.test(path) && !path.startsWith('dist/cjs/'))) {
      const { packages, nodeTypes } = await importsOf(read(pkg(folder), file), file)
      for (const name of packages) if (!declared.has(name)) missing.add(`${name} (${file})`)
      if (nodeTypes && !declared.has('@types/node')) missing.add(`@types/node (${file} uses Node's types)`)
    }
    expect([...missing]).toEqual([])
  })

  test('declares no dependency its shipped code never uses', async () => {
    const { manifest, files } = pkg(folder)
    const used = new Set<string>()
    for (const file of files.filter((path) => /\.([cm]?js|d\.ts)$/u.test(path))) {
      const source = read(pkg(folder), file)
      for (const name of requiredBy(source)) used.add(name)
      if (!file.endsWith('.cjs') && !file.startsWith('dist/cjs/')) {
        const imports = await importsOf(source, file)
        for (const name of imports.packages) used.add(name)
        // A declaration file importing 'pg' needs pg's own types, which DefinitelyTyped ships.
        if (file.endsWith('.d.ts')) for (const name of imports.packages) used.add(`@types/${name.replace(/^@(.*)\//u, '$1__')}`)
        if (imports.nodeTypes) used.add('@types/node')
      }
    }
    // Peers are the host a package plugs into (jest for a preset), not imports.
    const unused = Object.keys(manifest.dependencies ?? {}).filter((name) => !used.has(name))
    expect(unused).toEqual([])
  })

  test('names its repository folder and home page', () => {
    const { manifest } = pkg(folder)
    expect(manifest.repository).toEqual({ type: 'git', url: repositoryUrl, directory: folder })
    expect(manifest.homepage).toBe(`${repository}/tree/main/${folder}#readme`)
  })

  test('its README links work on the registry, outside the repository', () => {
    const links = [...read(pkg(folder), 'README.md').matchAll(/\]\(([^)\s]+)\)/gu)].map((match) => match[1]!)
    expect(links.filter((link) => !/^(https:\/\/|#)/u.test(link))).toEqual([])
    // Links into this repository point at files that exist.
    const inRepository = links.filter((link) => link.startsWith(`${repository}/`)).map((link) => link.slice(repository.length + 1).replace(/^(blob|tree)\/main\//u, '').replace(/#.*$/u, ''))
    expect(inRepository.filter((path) => !safeExists(path))).toEqual([])
  })

  test('its peer ranges start at the major version the test suite runs against', () => {
    const { manifest } = pkg(folder)
    for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
      const installed = readJson<{ version: string }>(`node_modules/${peer}/package.json`).version
      expect(`${peer}@${lowestMajor(range)}`).toBe(`${peer}@${installed.split('.')[0]}`)
    }
  })
})

test('the repository field is one GitHub URL, shared by the root and every package', () => {
  expect(repositoryUrl).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/u)
})

function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports]
  if (exports === null || typeof exports !== 'object') return []
  return Object.values(exports).flatMap(exportTargets)
}

/** The lowest major a range such as `^5.0.0`, `>=30` or `^4 || ^5` admits. */
function lowestMajor(range: string): number {
  return Math.min(...range.split('||').map((part) => Number(/\d+/u.exec(part)?.[0] ?? Number.NaN)))
}

function safeExists(path: string): boolean {
  try {
    readFileSync(join(repoRoot, path))
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EISDIR'
  }
}
