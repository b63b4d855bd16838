// Vitest global set-up of the server tests: one throwaway PostgreSQL cluster per test run
// (Debian's `postgresql` package, started in a temporary data folder as a non-root user),
// shared by every test file, each of which makes its own database. Where PostgreSQL is not
// installed the PostgreSQL suites are skipped with one line saying how to install it; under
// CI (`CI` set) its absence fails the run.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://…/postgres` of the shared cluster, or '' when PostgreSQL is not installed. */
    postgresUrl: string
  }
}

export const INSTALL_HINT = 'apt-get install -y postgresql'

/** The newest `/usr/lib/postgresql/<version>/bin` holding initdb, if any. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export default async function setup(project: TestProject): Promise<() => void> {
  const bin = findPostgresBin()
  if (!bin) {
    if (process.env.CI) throw new Error(`PostgreSQL is not installed, and CI must run the PostgreSQL suites: ${INSTALL_HINT}`)
    process.stderr.write(`PostgreSQL not found: its server test suites are skipped. Install it with: ${INSTALL_HINT}\n`)
    project.provide('postgresUrl', '')
    return () => {}
  }
  // initdb and postgres refuse to run as root: run them as the `postgres` user then.
  const asRoot = userInfo().uid === 0
  const owner = asRoot ? (spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim() || undefined) : undefined
  if (asRoot && !owner) throw new Error('Running as root and there is no `postgres` user to run PostgreSQL as (the Debian package creates it).')
  const dir = mkdtempSync(join(tmpdir(), 'retrace-pg-'))
  const data = join(dir, 'data')
  if (owner) chownSync(dir, Number(owner), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()))
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args]
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  }
  const port = await freePort()
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-locale', '-E', 'UTF8', '--no-sync'])
  // fsync off: a test cluster lives for one run; the durability under test is the server's
  // (commit before ack), not the disk's.
  run('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c max_connections=300`, 'start'])
  project.provide('postgresUrl', `postgres://postgres@127.0.0.1:${port}/postgres`)
  return () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
