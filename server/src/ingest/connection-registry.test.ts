import { DatabaseSync } from 'node:sqlite'
import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { storeTargets } from '../../test/store-matrix.ts'
import { openStream, startTestServer } from '../../test/test-server.ts'

/** Rows left in the `connections` table once the server is gone. */
async function connectionRows(engine: 'sqlite' | 'postgres', url: string): Promise<number> {
  if (engine === 'sqlite') {
    const db = new DatabaseSync(url.replace(/^sqlite:/, ''), { readOnly: true })
    try {
      return Number((db.prepare('SELECT COUNT(*) AS n FROM connections').get() as { n: number }).n)
    } finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM connections')).rows[0]!.n)
  } finally {
    await client.end()
  }
}

describe.each(storeTargets())('the connection registry on $engine', (target) => {
  test.skipIf(!target.available)('a shutdown while SDKs connect and register writes nothing after the store closed, and leaves no connection behind', async () => {
    for (let round = 0; round < 3; round++) {
      const url = await target.freshUrl()
      const t = await startTestServer(target, { databaseUrl: url })
      // Connections opening, registering and closing all at once: their records are being
      // written to the store when the shutdown starts.
      const clients = await Promise.all(Array.from({ length: 12 }, () => openStream(t.url, t.key)))
      clients.forEach((client, i) => {
        client.send({ type: 'register', sdk: 'test', protocol: 1, resumable: [`fn-${i}`], instanceId: `i-${i}` })
        if (i % 3 === 0) client.socket.close()
      })
      await t.close()
      await Promise.all(clients.map((client) => client.closed))
      // Writes that would land after the close fail in the background; give them the time to.
      await new Promise((resolve) => setTimeout(resolve, 200))
      const complaints = t.logs.filter((line) => line.level === 40 || line.level === 50)
      expect(complaints.map((line) => `${line.msg}: ${JSON.stringify(line.err)}`)).toEqual([])
      expect(await connectionRows(target.engine, url)).toBe(0)
    }
  })
})
