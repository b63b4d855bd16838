import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { storeTargets } from '../../test/store-matrix.ts'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

// The trace list the dashboard filters and sorts: search, cost bounds and sort orders, each
// paging through every trace with its cursor.
const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000).toISOString()
const run = (id: string, seconds: number, usd: number, durationMs: number, extra: { name?: string; input?: string; output?: string; running?: boolean } = {}): WireEvent[] => [
  { type: 'trace.start', id: `${id}:start`, trace: { id, name: extra.name ?? 'agent', startedAt: at(seconds), input: [extra.input ?? 'hello'] } },
  ...(extra.running ? [] : [{ type: 'trace.end', id: `${id}:end`, trace: { id, endedAt: at(seconds + 1), status: 'completed', output: extra.output ?? 'ok', totals: { inputTokens: 1, outputTokens: 1, usd, durationMs } } } as WireEvent]),
]

describe.each(storeTargets())('listing traces on $engine', (target) => {
  let t: TestServer
  beforeAll(async () => {
    if (!target.available) return
    t = await startTestServer(target)
    const events = [
      ...run('t1', 1, 0.5, 900, { name: 'Weather-Agent', input: 'Weather in PARIS?' }),
      ...run('t2', 2, 0.01, 100, { output: 'Rain in Oslo, 100%_sure' }),
      ...run('t3', 3, 2, 50),
      ...run('t4', 4, 0.01, 5000),
      ...run('t5', 5, 0, 0, { running: true }),
    ]
    await t.call('/v1/events', { json: { type: 'batch', batchId: 'b', events } })
  })
  afterAll(async () => {
    await t?.close()
  })
  const ids = async (query: string) => (await t.call(`/api/v1/traces?${query}`)).body.traces.map((trace: { id: string }) => trace.id)
  const allPages = async (query: string) => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { body: { traces: Array<{ id: string }>; nextCursor: string | null } } = await t.call(`/api/v1/traces?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...page.body.traces.map((trace) => trace.id))
      cursor = page.body.nextCursor
    } while (cursor)
    return seen
  }

  describe.skipIf(!target.available)('', () => {
    test('search matches name, id, input and output, case-insensitively; % and _ are literal', async () => {
      expect(await ids('q=weather-agent')).toEqual(['t1'])
      expect(await ids('q=paris')).toEqual(['t1'])
      expect(await ids('q=OSLO')).toEqual(['t2'])
      expect(await ids('q=t3')).toEqual(['t3'])
      expect(await ids('q=100%25_')).toEqual(['t2'])
      expect(await ids('q=%25')).toEqual(['t2'])
      expect(await ids('q=nothing-like-this')).toEqual([])
    })

    test('cost bounds are inclusive, on the run’s total', async () => {
      expect(await ids('minCost=0.01&maxCost=0.5')).toEqual(['t4', 't2', 't1'])
      expect(await ids('minCost=1')).toEqual(['t3'])
      expect((await t.call('/api/v1/traces?minCost=-1')).status).toBe(400)
    })

    test('every sort order pages through all traces with its cursor', async () => {
      expect(await allPages('sort=newest')).toEqual(['t5', 't4', 't3', 't2', 't1'])
      expect(await allPages('sort=oldest')).toEqual(['t1', 't2', 't3', 't4', 't5'])
      expect(await allPages('sort=cost')).toEqual(['t3', 't1', 't4', 't2', 't5'])
      expect(await allPages('sort=duration')).toEqual(['t4', 't1', 't2', 't3', 't5'])
      expect(await allPages('sort=cost&maxCost=0.5')).toEqual(['t1', 't4', 't2', 't5'])
      expect((await t.call('/api/v1/traces?sort=sideways')).status).toBe(400)
    })
  })
})
