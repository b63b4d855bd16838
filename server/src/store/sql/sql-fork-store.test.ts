import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { storeTargets } from '../../../test/store-matrix.ts'
import { generateApiKey } from '../../auth/api-keys.ts'
import { openStore } from '../open-store.ts'
import { openPostgres } from '../postgres/postgres-client.ts'
import { openSqlite } from '../sqlite/sqlite-client.ts'
import type { NewFork } from '../fork-store.ts'
import type { ProjectRecord, Store } from '../store.ts'

const TIMEOUTS = { workerTimeoutMs: 60_000, runTimeoutMs: 600_000, lostWorkerGraceMs: 60_000, maxAttempts: 3 }

describe.each(storeTargets())('sweeps finish on $engine', (target) => {
  let url: string
  let store: Store
  let project: ProjectRecord

  beforeAll(async () => {
    if (!target.available) return
    url = await target.freshUrl()
    store = await openStore(url)
    project = (await store.bootstrap(generateApiKey()))!.project
  })
  afterAll(async () => {
    await store?.close()
  })

  const variant = (n: number): NewFork => ({
    projectId: project.id, traceId: 'recorded', spanId: 'span-1', forkPointStep: 0, forkPointToolCall: null, functionName: 'agent', modifiedInput: `input ${n}`,
  })
  const worker = () => ({ connectionId: 'conn-1', projectId: project.id, instanceId: 'proc-1', functions: new Set(['agent']) })

  /** Sweeps of two variants, both sent to a worker. */
  async function runningSweeps(count: number) {
    const sweeps = []
    for (let i = 0; i < count; i++) {
      sweeps.push((await store.forks.createSweep({ projectId: project.id, kind: 'sweep', traceId: 'recorded', spanId: 'span-1', concurrency: 2, params: null }, [variant(1), variant(2)])).sweep)
    }
    const claimed = await store.forks.claim('server-1', [worker()], { limit: count * 2 })
    expect(claimed).toHaveLength(count * 2)
    return { sweeps, claimed }
  }

  test.skipIf(!target.available)('the last two variants of a sweep ending in two transactions at once finish it', async () => {
    const { sweeps, claimed } = await runningSweeps(30)
    // Each variant's end is its own transaction, all at once: under READ COMMITTED neither of a
    // sweep's last two sees the other's write unless the sweep's row orders them.
    await Promise.all(claimed.map(({ fork }) => store.forks.applyForkTraces([{ traceId: `trace-${fork.id}`, commandId: fork.commandId!, ended: 'completed', errorMessage: null }])))
    const statuses = await Promise.all(sweeps.map(async (sweep) => (await store.forks.getSweep(project.id, sweep.id))!.status))
    expect(statuses.filter((status) => status !== 'completed')).toEqual([])
    expect(await store.forks.hasOpenWork()).toBe(false)
  })

  test.skipIf(!target.available)('a sweep left running with every variant final (a server from before this fix) counts as open work and is finished by maintenance', async () => {
    const { sweeps, claimed } = await runningSweeps(1)
    await store.forks.applyForkTraces(claimed.map(({ fork }) => ({ traceId: `trace-${fork.id}`, commandId: fork.commandId!, ended: 'completed' as const, errorMessage: null })))
    const client = target.engine === 'sqlite' ? openSqlite(url.replace(/^sqlite:/, '')) : await openPostgres(url)
    try {
      await client.transaction((tx) => tx.run("UPDATE sweeps SET status = 'running', finished_ms = NULL WHERE id = ?", [sweeps[0]!.id]))
    } finally {
      await client.close()
    }
    // The scheduler runs maintenance only while there is open work: this sweep must be some.
    expect(await store.forks.hasOpenWork()).toBe(true)
    await store.forks.maintain([], TIMEOUTS, () => 'no worker')
    expect((await store.forks.getSweep(project.id, sweeps[0]!.id))!.status).toBe('completed')
    expect(await store.forks.hasOpenWork()).toBe(false)
  })
})
