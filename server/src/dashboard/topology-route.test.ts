import { afterAll, beforeAll, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { storeTargets } from '../../test/store-matrix.ts'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

const AT = '2026-03-01T10:00:00.000Z'
const agentSpan = (id: string, agent: { id: string; role?: string; parentId?: string }, parentId?: string): WireEvent => ({
  type: 'span',
  id,
  span: { id, traceId: 'crew', ...(parentId ? { parentId } : {}), kind: 'agent', name: agent.id, startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok', agent },
})

let t: TestServer
beforeAll(async () => {
  t = await startTestServer(storeTargets()[0]!)
  await t.call('/v1/events', {
    json: {
      type: 'batch',
      batchId: 'b',
      events: [
        { type: 'trace.start', id: 'crew:start', trace: { id: 'crew', name: 'crew', startedAt: AT } },
        agentSpan('p', { id: 'planner', role: 'plan' }),
        agentSpan('r', { id: 'researcher', parentId: 'planner' }, 'p'),
        agentSpan('w', { id: 'writer', parentId: 'planner' }, 'p'),
      ],
    },
  })
})
afterAll(async () => {
  await t?.close()
})

test('the topology of a trace: agents and hand-offs; another project’s key gets a 404', async () => {
  const { status, body } = await t.call('/api/v1/traces/crew/topology')
  expect(status).toBe(200)
  expect(body.agents.map((agent: { id: string }) => agent.id)).toEqual(['planner', 'researcher', 'writer'])
  expect(body.edges.filter((edge: { kind: string }) => edge.kind === 'handoff')).toEqual([
    { from: 'planner', to: 'researcher', kind: 'handoff', count: 1 },
    { from: 'planner', to: 'writer', kind: 'handoff', count: 1 },
  ])
  const other = (await t.call('/api/v1/projects', { json: { name: 'other' } })).body.secret
  expect((await t.call('/api/v1/traces/crew/topology', { key: other })).status).toBe(404)
  expect((await t.call('/api/v1/traces/none/topology')).status).toBe(404)
})
