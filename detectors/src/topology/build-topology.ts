import { z } from 'zod'
import type { WireSpan } from '@retrace/protocol'
import { buildTraceView, spanTime, UNKNOWN_AGENT } from '../trace/trace-view.ts'

/** One agent of a trace. */
export const TopologyAgentSchema = z.object({
  id: z.string(),
  role: z.string().optional(),
  /** The agent that runs it (its `agent.parentId`), when it has one. */
  parentId: z.string().optional(),
  /** Spans tagged with this agent. */
  spans: z.number().int().nonnegative(),
  /** Times it was started: agent spans that open a new run of this agent. */
  invocations: z.number().int().nonnegative(),
})

/**
 * A directed edge between two agents, with how often it happened:
 * - `handoff`: `from` started `to` (an agent span of `to` whose parent agent is `from`);
 * - `message`: `from` addressed `to` (`metadata.to` on a span of `from`), or, when `from`'s turn
 *   addressed nobody, `to` spoke next.
 */
export const TopologyEdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  kind: z.enum(['message', 'handoff']),
  count: z.number().int().positive(),
})

/** The agent graph of a trace, for a dashboard's agents view. */
export const AgentTopologySchema = z.object({
  agents: z.array(TopologyAgentSchema),
  edges: z.array(TopologyEdgeSchema),
})

export type TopologyAgent = z.infer<typeof TopologyAgentSchema>
export type TopologyEdge = z.infer<typeof TopologyEdgeSchema>
export type AgentTopology = z.infer<typeof AgentTopologySchema>

/**
 * Builds the agent graph from a trace's spans (any order): the agents with their role and
 * parent agent, and the message and hand-off edges between them with counts. Spans without
 * an agent tag (and no tagged ancestor) belong to no agent and add nothing. Pure: a server
 * calls it on stored spans.
 *
 * @example
 * let clock = 0
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const span = (fields: object) => ({ id: `s${++clock}`, traceId: 't1', startedAt: at(clock), endedAt: at(clock), durationMs: 0, status: 'ok' as const, ...fields })
 * const message = (agent: string, output: string, to?: string) => span({ kind: 'agent', name: agent, agent: { id: agent }, output, ...(to ? { metadata: { to } } : {}) })
 * const tool = (agent: string, name: string, input: unknown, output: unknown) => span({ kind: 'tool', name, agent: { id: agent }, input, output })
 * const ended = (task: string, spans: object[], output: unknown) => ({ trace: { id: 't1', name: 'run', startedAt: at(0), input: task }, spans, end: { id: 't1', endedAt: at(99), status: 'completed' as const, output, totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 99_000 } } })
 * const { agents, edges } = buildTopology([
 *   message('planner', 'Please add input validation to the signup form.', 'coder'),
 *   message('coder', 'Done: the form rejects an empty email.', 'planner'),
 *   message('planner', 'Also check the password length.', 'coder'),
 * ])
 * agents.map((agent) => agent.id) // → ['planner', 'coder']
 * edges.map((edge) => [edge.from, edge.to, edge.count]) // → [['planner', 'coder', 2], ['coder', 'planner', 1]]
 */
export function buildTopology(spans: readonly WireSpan[]): AgentTopology {
  const byId = new Map(spans.map((span) => [span.id, span]))
  const agents = new Map<string, TopologyAgent & { first: number }>()
  const counts = new Map<string, TopologyEdge>()
  const addEdge = (from: string, to: string, kind: TopologyEdge['kind']) => {
    if (from === to || from === UNKNOWN_AGENT || to === UNKNOWN_AGENT) return
    const key = `${kind}\u0000${from}\u0000${to}`
    const edge = counts.get(key)
    if (edge) edge.count++
    else counts.set(key, { from, to, kind, count: 1 })
  }
  const enclosingAgent = (span: WireSpan): string | undefined => {
    const seen = new Set<string>()
    for (let parent = span.parentId ? byId.get(span.parentId) : undefined; parent && !seen.has(parent.id); parent = parent.parentId ? byId.get(parent.parentId) : undefined) {
      seen.add(parent.id)
      if (parent.agent) return parent.agent.id
    }
    return undefined
  }

  const ordered = [...spans].sort((a, b) => spanTime(a.startedAt) - spanTime(b.startedAt))
  for (const [position, span] of ordered.entries()) {
    const tag = span.agent
    if (!tag) continue
    let agent = agents.get(tag.id)
    if (!agent) {
      agent = { id: tag.id, spans: 0, invocations: 0, first: position }
      agents.set(tag.id, agent)
    }
    agent.spans++
    if (tag.role && !agent.role) agent.role = tag.role
    if (tag.parentId && !agent.parentId && tag.parentId !== tag.id) agent.parentId = tag.parentId
    if (span.kind !== 'agent') continue
    const enclosing = enclosingAgent(span)
    if (enclosing === tag.id) continue // a span inside the same agent's run, not a new run
    agent.invocations++
    const starter = tag.parentId ?? enclosing
    if (starter) addEdge(starter, tag.id, 'handoff')
  }

  // Messages: turn by turn, in the order the detectors read the trace.
  const view = buildTraceView({ trace: { id: 'topology', name: 'topology', startedAt: new Date(0).toISOString() }, spans: [...spans] })
  const turns: Array<{ agent: string; to: Set<string> }> = []
  for (const step of view.steps) {
    if (step.agent === UNKNOWN_AGENT) continue
    const last = turns.at(-1)
    const turn = last && last.agent === step.agent ? last : { agent: step.agent, to: new Set<string>() }
    if (turn !== last) turns.push(turn)
    if (step.to) turn.to.add(step.to)
  }
  for (const [index, turn] of turns.entries()) {
    const next = turns[index + 1]
    if (turn.to.size) for (const to of turn.to) addEdge(turn.agent, to, 'message')
    else if (next) addEdge(turn.agent, next.agent, 'message')
  }

  // An agent only ever addressed or named as a parent still is a node of the graph.
  for (const id of [...[...agents.values()].map((agent) => agent.parentId), ...[...counts.values()].flatMap((edge) => [edge.from, edge.to])]) {
    if (id && !agents.has(id)) agents.set(id, { id, spans: 0, invocations: 0, first: Number.MAX_SAFE_INTEGER - 1 })
  }
  const rank = new Map([...agents.values()].map((agent) => [agent.id, agent.first]))
  const where = (id: string) => rank.get(id) ?? Number.MAX_SAFE_INTEGER
  return {
    agents: [...agents.values()]
      .sort((a, b) => a.first - b.first)
      .map((agent) => ({ id: agent.id, ...(agent.role ? { role: agent.role } : {}), ...(agent.parentId ? { parentId: agent.parentId } : {}), spans: agent.spans, invocations: agent.invocations })),
    edges: [...counts.values()].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'handoff' ? -1 : 1) || where(a.from) - where(b.from) || where(a.to) - where(b.to)),
  }
}
