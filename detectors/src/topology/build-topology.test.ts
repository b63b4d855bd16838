import { describe, expect, test } from 'vitest'
import type { WireSpan } from '@retrace/protocol'
import { fixtureNamed } from '../../test/fixture.ts'
import { AgentTopologySchema, buildTopology } from '../index.ts'

// An SDK-shaped trace: agent('planner') calls agent('coder') twice and agent('tester') once.
function nestedSpans(): WireSpan[] {
  let clock = 0
  const span = (id: string, fields: Partial<WireSpan> & Pick<WireSpan, 'kind' | 'name'>, duration = 1): WireSpan => {
    const start = clock++
    return { id, traceId: 't', status: 'ok', startedAt: new Date(start * 1000).toISOString(), endedAt: new Date((start + duration) * 1000).toISOString(), durationMs: duration * 1000, ...fields }
  }
  const planner = { id: 'planner', role: 'planning' }
  const coder = { id: 'coder', role: 'coding', parentId: 'planner' }
  const tester = { id: 'tester', parentId: 'planner' }
  return [
    span('a1', { kind: 'agent', name: 'planner', agent: planner }, 20),
    span('l1', { kind: 'span', name: 'plan', parentId: 'a1', agent: planner, output: 'Write the parser, then test it.' }),
    span('a2', { kind: 'agent', name: 'coder', parentId: 'a1', agent: coder, output: 'parser written' }, 3),
    span('t1', { kind: 'tool', name: 'write_file', parentId: 'a2', agent: coder, input: { path: 'parse.ts' }, output: { ok: true } }),
    span('a3', { kind: 'agent', name: 'tester', parentId: 'a1', agent: tester, output: '1 failing test' }, 2),
    span('t2', { kind: 'tool', name: 'run_tests', parentId: 'a3', agent: tester, input: {}, output: { failed: 1 } }),
    span('a4', { kind: 'agent', name: 'coder', parentId: 'a1', agent: coder, output: 'fixed' }, 2),
    span('t3', { kind: 'tool', name: 'write_file', parentId: 'a4', agent: coder, input: { path: 'parse.ts' }, output: { ok: true } }),
    span('x1', { kind: 'tool', name: 'untagged', input: {}, output: {} }),
  ]
}

describe('buildTopology', () => {
  test('agents with role and parent; hand-offs counted per agent call; messages by turn (the planner never speaks again)', () => {
    const topology = buildTopology(nestedSpans())
    expect(AgentTopologySchema.parse(topology)).toEqual(topology)
    expect(topology.agents).toEqual([
      { id: 'planner', role: 'planning', spans: 2, invocations: 1 },
      { id: 'coder', role: 'coding', parentId: 'planner', spans: 4, invocations: 2 },
      { id: 'tester', parentId: 'planner', spans: 2, invocations: 1 },
    ])
    expect(topology.edges.filter((edge) => edge.kind === 'handoff')).toEqual([
      { from: 'planner', to: 'coder', kind: 'handoff', count: 2 },
      { from: 'planner', to: 'tester', kind: 'handoff', count: 1 },
    ])
    expect(topology.edges.filter((edge) => edge.kind === 'message')).toEqual([
      { from: 'planner', to: 'coder', kind: 'message', count: 1 },
      { from: 'coder', to: 'tester', kind: 'message', count: 1 },
      { from: 'tester', to: 'coder', kind: 'message', count: 1 },
    ])
  })

  test('explicit addressing (metadata.to) makes the message edges', () => {
    const topology = buildTopology(fixtureNamed('ping-pong: planner, coder and tester go round three times').trace.spans)
    expect(topology.edges).toEqual([
      { from: 'planner', to: 'coder', kind: 'message', count: 3 },
      { from: 'coder', to: 'tester', kind: 'message', count: 3 },
      { from: 'tester', to: 'planner', kind: 'message', count: 3 },
    ])
    expect(buildTopology([])).toEqual({ agents: [], edges: [] })
  })
})
