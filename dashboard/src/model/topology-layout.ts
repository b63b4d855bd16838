import type { AgentTopology } from '../api/api-types.ts'

/** Where an agent's node sits in the drawing. */
export interface PlacedAgent {
  id: string
  role?: string
  spans: number
  invocations: number
  x: number
  y: number
  layer: number
}

export interface PlacedEdge {
  from: string
  to: string
  kind: 'message' | 'handoff'
  count: number
  path: string
  labelX: number
  labelY: number
}

export const NODE_WIDTH = 168
export const NODE_HEIGHT = 54
const LAYER_GAP = 96
const NODE_GAP = 32
const MARGIN = 24

/**
 * Lays the agent graph out in layers: roots (no parent, nobody hands off to them) on top,
 * each agent one layer below the agent that starts it (hand-offs, else its parent), message
 * edges drawn as curves. Deterministic: the same topology draws the same picture.
 *
 * @example
 * const { agents, edges } = layoutTopology({
 *   agents: [{ id: 'planner', spans: 2, invocations: 1 }, { id: 'coder', spans: 1, invocations: 1 }],
 *   edges: [{ from: 'planner', to: 'coder', kind: 'handoff', count: 1 }],
 * })
 * agents.map((agent) => [agent.id, agent.layer]) // → [['planner', 0], ['coder', 1]]
 * edges.map((edge) => [edge.from, edge.to]) // → [['planner', 'coder']]
 */
export function layoutTopology(topology: AgentTopology): { agents: PlacedAgent[]; edges: PlacedEdge[]; width: number; height: number } {
  const ids = topology.agents.map((agent) => agent.id)
  const starters = new Map<string, string>()
  for (const agent of topology.agents) if (agent.parentId && ids.includes(agent.parentId)) starters.set(agent.id, agent.parentId)
  for (const edge of topology.edges) if (edge.kind === 'handoff' && !starters.has(edge.to) && edge.from !== edge.to) starters.set(edge.to, edge.from)
  const layerOf = new Map<string, number>()
  const depth = (id: string, seen: Set<string>): number => {
    const known = layerOf.get(id)
    if (known !== undefined) return known
    const parent = starters.get(id)
    const layer = parent && !seen.has(parent) ? depth(parent, new Set([...seen, id])) + 1 : 0
    layerOf.set(id, layer)
    return layer
  }
  for (const id of ids) depth(id, new Set([id]))
  const layers: string[][] = []
  for (const id of ids) (layers[layerOf.get(id)!] ??= []).push(id)
  const widest = Math.max(1, ...layers.map((layer) => layer?.length ?? 0))
  const width = MARGIN * 2 + widest * NODE_WIDTH + (widest - 1) * NODE_GAP
  const placed = new Map<string, PlacedAgent>()
  layers.forEach((layer, index) => {
    const rowWidth = layer.length * NODE_WIDTH + (layer.length - 1) * NODE_GAP
    const left = (width - rowWidth) / 2
    layer.forEach((id, position) => {
      const agent = topology.agents.find((candidate) => candidate.id === id)!
      placed.set(id, {
        id,
        ...(agent.role ? { role: agent.role } : {}),
        spans: agent.spans,
        invocations: agent.invocations,
        layer: index,
        x: left + position * (NODE_WIDTH + NODE_GAP),
        y: MARGIN + index * (NODE_HEIGHT + LAYER_GAP),
      })
    })
  })
  const edges: PlacedEdge[] = []
  for (const edge of topology.edges) {
    const from = placed.get(edge.from)
    const to = placed.get(edge.to)
    if (!from || !to) continue
    const x1 = from.x + NODE_WIDTH / 2 + (edge.kind === 'message' ? 12 : -12)
    const x2 = to.x + NODE_WIDTH / 2 + (edge.kind === 'message' ? 12 : -12)
    const downward = to.y > from.y
    const sameLayer = to.y === from.y
    const y1 = sameLayer ? from.y + NODE_HEIGHT : downward ? from.y + NODE_HEIGHT : from.y
    const y2 = sameLayer ? to.y + NODE_HEIGHT : downward ? to.y : to.y + NODE_HEIGHT
    const bend = sameLayer ? 60 : 0
    const c1y = sameLayer ? y1 + bend : (y1 + y2) / 2
    const c2y = sameLayer ? y2 + bend : (y1 + y2) / 2
    // Labels sit at different points of the curve per kind, so a hand-off and a message
    // between the same agents do not print over each other.
    const t = edge.kind === 'handoff' ? 0.35 : 0.68
    const bezier = (a: number, b: number, c: number, d: number) => (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c + t ** 3 * d
    edges.push({ ...edge, path: `M ${x1} ${y1} C ${x1} ${c1y}, ${x2} ${c2y}, ${x2} ${y2}`, labelX: bezier(x1, x1, x2, x2), labelY: bezier(y1, c1y, c2y, y2) })
  }
  const height = MARGIN * 2 + Math.max(1, layers.length) * NODE_HEIGHT + Math.max(0, layers.length - 1) * LAYER_GAP + (edges.some((edge) => placed.get(edge.from)?.y === placed.get(edge.to)?.y) ? 70 : 0)
  return { agents: [...placed.values()], edges, width, height }
}
