// Vitest global set-up of the server tests: one throwaway PostgreSQL cluster per test run,
// shared by every test file, each of which makes its own database (store-matrix.ts). Where
// PostgreSQL is not installed the PostgreSQL suites are skipped with one line saying how to
// install it; under CI (`CI` set) its absence fails the run.
import type { TestProject } from 'vitest/node'
import { POSTGRES_INSTALL_HINT, startPostgresCluster } from '../../test-support/postgres-cluster.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://…/postgres` of the shared cluster, or '' when PostgreSQL is not installed. */
    postgresUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPostgresCluster()
  if (!cluster) {
    if (process.env.CI) throw new Error(`PostgreSQL is not installed, and CI must run the PostgreSQL suites: ${POSTGRES_INSTALL_HINT}`)
    process.stderr.write(`PostgreSQL not found: the server's PostgreSQL suites are skipped. Install it with: ${POSTGRES_INSTALL_HINT}\n`)
    project.provide('postgresUrl', '')
    return () => {}
  }
  project.provide('postgresUrl', cluster.url)
  return () => cluster.stop()
}
