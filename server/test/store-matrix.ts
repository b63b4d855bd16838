import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { createDatabase } from '../../test-support/postgres-cluster.ts'

/** One store the server tests run against. */
export interface StoreTarget {
  engine: 'sqlite' | 'postgres'
  /** False when PostgreSQL is not installed locally (the suite is skipped). */
  available: boolean
  /** A fresh, empty database URL (a new SQLite file, or a new PostgreSQL database). */
  freshUrl(): Promise<string>
}

/**
 * Both stores: the embedded SQLite (a new file each time) and the shared test cluster's
 * PostgreSQL (a new database each time). Use with `describe.each(STORES)` and
 * `describe.skipIf(!target.available)`.
 *
 * @example
 * describe.each(storeTargets())('$engine', (target) => { … })
 */
export function storeTargets(): StoreTarget[] {
  const postgresUrl = inject('postgresUrl')
  return [
    { engine: 'sqlite', available: true, freshUrl: async () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-store-')), 'retrace.db')}` },
    { engine: 'postgres', available: Boolean(postgresUrl), freshUrl: () => createDatabase(postgresUrl) },
  ]
}
