// A throwaway PostgreSQL cluster from Debian's `postgresql` package, started in a temporary
// data folder as a non-root user: for the server's tests (one cluster per test run) and its
// benchmarks. Nothing here downloads anything.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

/** How to get PostgreSQL where it is missing. */
export const POSTGRES_INSTALL_HINT = 'apt-get install -y postgresql'

/**
 * The newest `/usr/lib/postgresql/<version>/bin` holding initdb, if any.
 *
 * @example
 * import { existsSync } from 'node:fs'
 * import { join } from 'node:path'
 * const bin = findPostgresBin() // e.g. '/usr/lib/postgresql/15/bin'
 * bin === undefined || existsSync(join(bin, 'initdb')) // → true
 */
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

/** A running cluster: its superuser URL (database `postgres`) and how to remove it. */
export interface PostgresCluster {
  url: string
  stop(): void
}

/**
 * Starts a cluster (initdb with trust auth, `pg_ctl start` on a free port, socket in the
 * data folder); as root it runs them as the `postgres` user, since PostgreSQL refuses root.
 * Returns undefined when PostgreSQL is not installed.
 *
 * @example
 * import pg from 'pg'
 * const cluster = await startPostgresCluster()
 * if (cluster) {
 *   const client = new pg.Client({ connectionString: cluster.url })
 *   await client.connect()
 *   const { rows } = await client.query('SELECT 1 + 1 AS two')
 *   rows // → [{ two: 2 }]
 *   await client.end()
 *   cluster.stop()
 * }
 */
export async function startPostgresCluster(options: { durable?: boolean } = {}): Promise<PostgresCluster | undefined> {
  const bin = findPostgresBin()
  if (!bin) return undefined
  const asRoot = userInfo().uid === 0
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim()
  if (asRoot && !id('-u')) throw new Error('Running as root and there is no `postgres` user to run PostgreSQL as (the Debian package creates it).')
  const dir = mkdtempSync(join(tmpdir(), 'retrace-pg-'))
  const data = join(dir, 'data')
  if (asRoot) chownSync(dir, Number(id('-u')), Number(id('-g')))
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args]
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  }
  const port = await freePort()
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-locale', '-E', 'UTF8', '--no-sync'])
  // Tests turn fsync off (a cluster lives for one run; the durability under test is the
  // server's commit-before-ack); benchmarks keep PostgreSQL's defaults.
  const settings = options.durable ? '' : ' -c fsync=off'
  run('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -h 127.0.0.1 -c max_connections=300${settings}`, 'start'])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

/**
 * A new empty database in a cluster; its URL.
 *
 * @example
 * const cluster = await startPostgresCluster()
 * if (cluster) {
 *   const url = await createDatabase(cluster.url)
 *   url.startsWith(cluster.url.replace(/\/postgres$/, '/retrace_')) // → true
 *   cluster.stop()
 * }
 */
export async function createDatabase(clusterUrl: string): Promise<string> {
  const { default: pg } = await import('pg')
  const name = `retrace_${Math.random().toString(16).slice(2, 14)}`
  const client = new pg.Client({ connectionString: clusterUrl })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(clusterUrl)
  url.pathname = `/${name}`
  return url.toString()
}
