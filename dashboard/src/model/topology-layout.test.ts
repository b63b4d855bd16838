import { expect, test } from 'vitest'
import { layoutTopology } from './topology-layout.ts'

test('agents are laid out in layers under the agent that starts them, every edge drawn between placed nodes', () => {
  const layout = layoutTopology({
    agents: [
      { id: 'planner', spans: 2, invocations: 1 },
      { id: 'researcher', parentId: 'planner', spans: 4, invocations: 1 },
      { id: 'writer', parentId: 'planner', spans: 2, invocations: 1 },
    ],
    edges: [
      { from: 'planner', to: 'researcher', kind: 'handoff', count: 1 },
      { from: 'researcher', to: 'writer', kind: 'message', count: 2 },
    ],
  })
  const layer = Object.fromEntries(layout.agents.map((agent) => [agent.id, agent.layer]))
  expect(layer).toEqual({ planner: 0, researcher: 1, writer: 1 })
  expect(layout.edges).toHaveLength(2)
  for (const agent of layout.agents) {
    expect(agent.x).toBeGreaterThanOrEqual(0)
    expect(agent.x).toBeLessThan(layout.width)
    expect(agent.y).toBeLessThan(layout.height)
  }
  // Deterministic: the same graph draws the same picture.
  expect(layoutTopology({ agents: [{ id: 'a', spans: 1, invocations: 1 }], edges: [] })).toEqual(layoutTopology({ agents: [{ id: 'a', spans: 1, invocations: 1 }], edges: [] }))
})

test('a cycle of hand-offs does not loop forever', () => {
  const layout = layoutTopology({ agents: [{ id: 'a', parentId: 'b', spans: 1, invocations: 1 }, { id: 'b', parentId: 'a', spans: 1, invocations: 1 }], edges: [] })
  expect(layout.agents).toHaveLength(2)
})
