import { useEffect, useMemo, useState } from 'preact/hooks'
import { errorText } from '../api/api-client.ts'
import type { AgentTopology, SpanNode, TraceDetections } from '../api/api-types.ts'
import { KindBadge } from '../components/badges.tsx'
import { Notice } from '../components/notice.tsx'
import { formatDuration } from '../model/format.ts'
import { flattenSpans } from '../model/span-rows.ts'
import { layoutTopology, NODE_HEIGHT, NODE_WIDTH } from '../model/topology-layout.ts'
import { AgentFlags } from './agent-flags.tsx'

/**
 * A multi-agent run's topology: agents as nodes, hand-offs and messages as edges (with how
 * often), the failure flags the server's detectors stored (when given), and each agent's
 * spans, linked to their step in the timeline.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { api } from '../api/api-client.ts'
 * import type { AgentTopology } from '../api/api-types.ts'
 * const panel = <AgentsPanel spans={[]} loadTopology={() => api<AgentTopology>('/api/v1/traces/t1/topology')} onSpan={() => {}} spanHref={(spanId) => `/traces/t1?span=${spanId}`} />
 * // The topology is loaded once it is mounted; until then it says so:
 * renderToString(panel) // → '<p class="muted" aria-busy="true">Loading the topology…</p>'
 */
export function AgentsPanel({
  spans,
  loadTopology,
  loadDetections,
  spanHref,
}: {
  spans: SpanNode[]
  loadTopology(): Promise<AgentTopology>
  loadDetections?: (() => Promise<TraceDetections>) | undefined
  onSpan(spanId: string): void
  spanHref(spanId: string): string
}) {
  const [topology, setTopology] = useState<AgentTopology | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  useEffect(() => {
    loadTopology().then(setTopology, (error: unknown) => setFailure(errorText(error)))
  }, [spans])
  const byAgent = useMemo(() => {
    const groups = new Map<string, SpanNode[]>()
    for (const span of flattenSpans(spans)) {
      if (!span.agent) continue
      const list = groups.get(span.agent.id) ?? []
      list.push(span)
      groups.set(span.agent.id, list)
    }
    return groups
  }, [spans])
  if (failure) return <Notice tone="error">{failure}</Notice>
  if (!topology) return <p class="muted" aria-busy="true">Loading the topology…</p>
  if (!topology.agents.length) return <p class="empty">This run has no agent tags: record agents with <code>agent()</code> to see who handed off to whom.</p>
  const layout = layoutTopology(topology)
  const description = topology.edges.map((edge) => `${edge.from} ${edge.kind === 'handoff' ? 'hands off to' : 'messages'} ${edge.to} ${edge.count} time${edge.count === 1 ? '' : 's'}`).join('; ')
  return (
    <div class="agents">
      <div class="agents-top">
        <figure class="topology">
          <svg viewBox={`0 0 ${layout.width} ${layout.height}`} width={layout.width} height={layout.height} role="img" aria-labelledby="topology-title topology-desc">
            <title id="topology-title">Agent topology: {topology.agents.length} agents</title>
            <desc id="topology-desc">{description || 'No edges between agents.'}</desc>
            <defs>
              <marker id="arrow-handoff" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrow-handoff" /></marker>
              <marker id="arrow-message" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrow-message" /></marker>
            </defs>
            {layout.edges.map((edge) => (
              <g key={`${edge.kind}-${edge.from}-${edge.to}`} class={`edge edge-${edge.kind}`}>
                <path d={edge.path} marker-end={`url(#arrow-${edge.kind})`} />
                <text x={edge.labelX} y={edge.labelY} text-anchor="middle">{edge.kind === 'handoff' ? 'hand-off' : 'message'} ×{edge.count}</text>
              </g>
            ))}
            {layout.agents.map((agent) => (
              <g key={agent.id} class="node" transform={`translate(${agent.x} ${agent.y})`}>
                <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx="8" />
                <text x={NODE_WIDTH / 2} y="22" text-anchor="middle" class="node-name">{agent.id}</text>
                <text x={NODE_WIDTH / 2} y="40" text-anchor="middle" class="node-meta">{agent.role ? `${agent.role} · ` : ''}{agent.spans} spans</text>
              </g>
            ))}
          </svg>
          <figcaption class="muted small">Solid arrows: hand-offs (an agent started another). Dashed: messages (who addressed whom, or who spoke next).</figcaption>
        </figure>
        {loadDetections && <AgentFlags load={loadDetections} reloadOn={spans} spanHref={spanHref} />}
      </div>
      <div class="agent-lists">
        {topology.agents.map((agent, index) => (
          <section key={agent.id} class="agent-card" aria-labelledby={`agent-${index}`}>
            <h2 class="section-title" id={`agent-${index}`}>{agent.id}</h2>
            <p class="muted small">{agent.role ?? 'no role'}{agent.parentId ? ` · started by ${agent.parentId}` : ''} · {agent.invocations} run{agent.invocations === 1 ? '' : 's'}</p>
            <ul class="plain">
              {(byAgent.get(agent.id) ?? []).slice(0, 200).map((span) => (
                <li key={span.id}>
                  <KindBadge kind={span.kind} /> <a href={spanHref(span.id)}>{span.name}</a> <span class="muted small">{formatDuration(span.durationMs)}</span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </div>
  )
}
