import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'

const repoRoot = join(import.meta.dirname, '..')

/** A throwaway project on disk that resolves packages from this repository's node_modules. */
export interface FixtureProject {
  dir: string
  write(file: string, content: string): void
  read(file: string): string
  exists(file: string): boolean
  /** Cassette files under the project, relative to it, sorted. */
  cassettes(): string[]
}

/**
 * Creates a fixture project in a temporary folder, with `node_modules` linked to the
 * repository's, so `@retrace/*` resolve to the built packages exactly as a user's would.
 *
 * @example
 * const project = createFixtureProject({ 'agent.test.ts': "import { test } from 'vitest'\ntest('books', () => {})\n" })
 * project.exists('agent.test.ts') // → true
 * project.write('__cassettes__/agent.test.ts/books.cassette.json', '{}')
 * project.cassettes() // → ['__cassettes__/agent.test.ts/books.cassette.json']
 */
export function createFixtureProject(files: Record<string, string>): FixtureProject {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-fixture-'))
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), content)
  }
  for (const [file, content] of Object.entries(files)) write(file, content)
  return {
    dir,
    write,
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    exists: (file) => existsSync(join(dir, file)),
    cassettes: () => listFiles(dir).filter((file) => file.endsWith('.cassette.json')).map((file) => relative(dir, file)).sort(),
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return []
    const path = join(dir, entry.name)
    return entry.isDirectory() ? listFiles(path) : [path]
  })
}

/** What a child process printed and how it ended. */
export interface ProcessResult {
  code: number | null
  output: string
}

/**
 * Runs a command in the project with a clean Retrace environment (no inherited CI or
 * RETRACE_* variables) plus `env`.
 *
 * @example
 * const project = createFixtureProject({ 'hello.mjs': 'console.log(`${process.env.GREETING} (CI: ${process.env.CI ?? "unset"})`)\n' })
 * const result = await runInProject(project, process.execPath, ['hello.mjs'], { GREETING: 'hi' })
 * result // → { code: 0, output: 'hi (CI: unset)\n' }
 */
export function runInProject(project: FixtureProject, command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<ProcessResult> {
  const base: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name === 'CI' || name.startsWith('RETRACE_') || name.startsWith('VITEST') || name === 'NODE_OPTIONS' || name.startsWith('JEST_')) continue
    base[name] = value
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: project.dir, env: { ...base, FORCE_COLOR: '0', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}
