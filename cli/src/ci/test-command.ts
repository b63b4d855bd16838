import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** A command to run, and how to show it. */
export interface TestCommand {
  command: string
  args: string[]
  display: string
}

/** The runner's own bin script, from its package.json, in the nearest node_modules. */
function findBin(cwd: string, name: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(manifest)) {
      const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }
      const path = typeof bin === 'string' ? bin : bin?.[name]
      return path ? join(dirname(manifest), path) : undefined
    }
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * The project's test command: the one given after `--`, else Vitest (`vitest run`) or Jest
 * when the project depends on it, run with this Node. Returns an error message when there is
 * none to be found.
 *
 * @example
 * detectTestCommand('/repo', []) // { command: '/usr/bin/node', args: ['…/vitest.mjs', 'run'], display: 'vitest run' }
 */
export function detectTestCommand(cwd: string, explicit: readonly string[]): TestCommand | { error: string } {
  if (explicit.length) return { command: explicit[0]!, args: explicit.slice(1), display: explicit.join(' ') }
  const manifest = join(cwd, 'package.json')
  if (!existsSync(manifest)) return { error: `No package.json in ${cwd}: pass the test command after --, e.g. retrace ci replay -- npm test` }
  let dependencies: Record<string, unknown> = {}
  try {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> }
    dependencies = { ...pkg.dependencies, ...pkg.devDependencies }
  } catch (error) {
    return { error: `${manifest} is not valid JSON (${(error as Error).message}).` }
  }
  const runners: Array<[name: string, args: string[]]> = [
    ['vitest', ['run']],
    ['jest', []],
  ]
  for (const [name, args] of runners) {
    if (!(name in dependencies)) continue
    const bin = findBin(cwd, name)
    if (!bin) return { error: `${name} is in package.json but not installed: run npm install first.` }
    return { command: process.execPath, args: [bin, ...args], display: [name, ...args].join(' ') }
  }
  return { error: 'Neither vitest nor jest is a dependency of this project: pass the test command after --, e.g. retrace ci replay -- npm test' }
}
