import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { AgentTopology, SpanNode, TraceDetections, TraceRecord } from '../api/api-types.ts'
import { StatusBadge } from '../components/badges.tsx'
import { PlayerBar } from '../components/player-bar.tsx'
import { TimelineGrid } from '../components/timeline-grid.tsx'
import { Transcript } from '../components/transcript.tsx'
import type { Cassette } from '../model/cassette-export.ts'
import { formatCount, formatDuration, formatTime, formatUsd } from '../model/format.ts'
import { buildPlayback } from '../model/playback.ts'
import { spanRows, timeRange } from '../model/span-rows.ts'
import { GitSource } from './traces-view.tsx'
import { AgentsPanel } from './agents-panel.tsx'
import { SpanPanel } from './span-panel.tsx'

export type WorkspaceTrace = Omit<TraceRecord, 'projectId'>

export interface TraceWorkspaceProps {
  trace: WorkspaceTrace
  spans: SpanNode[]
  tab: 'timeline' | 'agents'
  tabHref(tab: 'timeline' | 'agents'): string
  loadTopology(): Promise<AgentTopology>
  /** The failure flags stored with the trace (signed-in pages; a shared page has none). */
  loadDetections?: (() => Promise<TraceDetections>) | undefined
  loadCassette(): Promise<Cassette>
  /** Buttons beside the title (share). */
  actions?: ComponentChildren
  /** Under the span panel: what forking from the current span shows (signed-in pages only). */
  renderFork?: ((span: SpanNode, close: () => void) => ComponentChildren) | undefined
  /** A 1-based step to open at (from the URL). */
  initialStep?: number | undefined
  /** Stay on the last step while new spans stream in (a fork running). */
  follow?: boolean
}

/** ms per step at 1× speed. */
const STEP_MS = 900

/**
 * A trace, replayable: the header with totals, the player, the span tree beside the gantt
 * timeline, the transcript building up step by step, and the current span in full. Keyboard:
 * ← and → step, space plays and pauses. Used signed in and on a shared page.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { api } from '../api/api-client.ts'
 * import type { AgentTopology } from '../api/api-types.ts'
 * import type { Cassette } from '../model/cassette-export.ts'
 * const span = (id: string, startMs: number, endMs: number, fields: object = {}) => ({ id, traceId: 't1', kind: 'span' as const, name: id, startedAt: new Date(startMs).toISOString(), endedAt: new Date(endMs).toISOString(), durationMs: endMs - startMs, status: 'ok' as const, children: [], ...fields })
 * const step = { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, tools: [], input: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }], output: [{ type: 'text', content: 'Sunny, 21 °C.' }], usage: { inputTokens: 12, outputTokens: 6 }, costUsd: 0.0000054 }
 * const spans = [span('weather-agent', 0, 900, { children: [
 *   span('get_weather', 100, 300, { kind: 'tool', input: { city: 'Paris' }, output: { sky: 'sunny' } }),
 *   span('openai.chat.completions', 300, 900, { kind: 'llm', step }),
 * ] })]
 * const trace = {
 *   id: 't1', name: 'weather-agent', sessionId: null, status: 'completed' as const, startedAt: '1970-01-01T00:00:00.000Z', endedAt: '1970-01-01T00:00:00.900Z',
 *   tags: [], hasError: false, lossy: false, droppedEvents: null, terminatedEarly: false, truncated: false, resumable: true, forkOf: null, forkPointStep: null, forkId: null,
 *   source: 'sdk' as const, git: null, input: ['Weather in Paris?'], output: 'Sunny, 21 °C.', error: null, metadata: null,
 *   totals: { inputTokens: 12, outputTokens: 6, usd: 0.0000054, durationMs: 900, spans: 3, llmCalls: 1, errors: 0 },
 * }
 * const html = renderToString(
 *   <TraceWorkspace trace={trace} spans={spans} tab="timeline" tabHref={(tab) => (tab === 'agents' ? '/traces/t1/agents' : '/traces/t1')} initialStep={3}
 *     loadTopology={() => api<AgentTopology>('/api/v1/traces/t1/topology')} loadCassette={() => api<Cassette>('/api/v1/traces/t1/cassette')} />,
 * )
 * // Opened at step 3 (`?step=3`): the player and the span panel are on the model's answer.
 * html.includes('<strong>Step 3 of 3</strong><span> · openai.chat.completions</span>') // → true
 * html.includes('<div class="entry-text">Sunny, 21 °C.</div>') // → true
 * html.includes('<dt>Cost</dt><dd>$0.0000054</dd>') // → true
 */
export function TraceWorkspace(props: TraceWorkspaceProps) {
  const { trace, spans } = props
  const playback = useMemo(() => {
    const built = buildPlayback(spans)
    performance.mark('retrace:playback-built', { detail: { steps: built.steps.length } })
    return built
  }, [spans])
  const range = useMemo(() => timeRange(spans), [spans])
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set())
  const rows = useMemo(() => spanRows(spans, collapsed, range), [spans, collapsed, range])
  const count = playback.steps.length
  const [cursor, setCursorState] = useState(() => Math.min(Math.max(0, (props.initialStep ?? 1) - 1), Math.max(0, count - 1)))
  const [playing, setPlaying] = useState(false)
  const [speed, setSpeed] = useState(1)
  const [forking, setForking] = useState(false)
  const following = useRef(props.follow ?? false)
  const clamped = (index: number) => {
    const next = Math.min(Math.max(0, index), Math.max(0, count - 1))
    following.current = (props.follow ?? false) && next === count - 1
    return next
  }
  const setCursor = (index: number) => setCursorState(clamped(index))

  // A trace still streaming in: stay on the newest step when already there.
  const previousCount = useRef(count)
  useEffect(() => {
    if (following.current && count > previousCount.current) setCursorState(count - 1)
    else if (cursor > count - 1) setCursorState(Math.max(0, count - 1))
    previousCount.current = count
  }, [count])

  // The page is ready to use once the first frame with the trace has been painted.
  useEffect(() => {
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark('retrace:trace-interactive', { detail: { spans: count } })
      }, 0),
    )
  }, [])

  // Play: one step per STEP_MS / speed, stopping at the last step.
  useEffect(() => {
    if (!playing) return
    if (cursor >= count - 1) {
      setPlaying(false)
      return
    }
    const timer = setTimeout(() => setCursor(cursor + 1), STEP_MS / speed)
    return () => clearTimeout(timer)
  }, [playing, cursor, speed, count])

  // The step in the address, so a link opens at it (without a history entry per step).
  useEffect(() => {
    const url = new URL(window.location.href)
    url.searchParams.set('step', String(cursor + 1))
    history.replaceState(history.state, '', url)
  }, [cursor])

  // ← → and space, unless typing or on a control that uses those keys itself.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return
      const target = event.target as HTMLElement | null
      if (target?.closest('input, textarea, select, [contenteditable="true"], details > summary')) return
      // From the state itself: two presses before the next render move two steps.
      if (event.key === 'ArrowRight') setCursorState((at) => clamped(at + 1))
      else if (event.key === 'ArrowLeft') setCursorState((at) => clamped(at - 1))
      else if (event.key === ' ' && !target?.closest('button, a')) setPlaying(!playing)
      else return
      event.preventDefault()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [cursor, playing, count])

  const current = playback.steps[cursor]
  const playhead = current && range.endMs > range.startMs ? current.atMs / (range.endMs - range.startMs) : 0
  const totals = trace.totals
  return (
    <div class="workspace">
      <div class="page-head">
        <div>
          <h1>{trace.name ?? trace.id}</h1>
          <p class="muted small">
            <code>{trace.id}</code> · started {formatTime(trace.startedAt)}
            {trace.sessionId && <> · session {trace.sessionId}</>}
            {trace.forkOf && <> · fork of <code>{trace.forkOf}</code>{trace.forkPointStep ? ` at step ${trace.forkPointStep}` : ''}</>}
          </p>
        </div>
        <div class="head-actions">
          <StatusBadge status={trace.status} />
          {props.actions}
        </div>
      </div>
      <dl class="facts totals" aria-label="Totals">
        <div><dt>Duration</dt><dd>{formatDuration(totals.durationMs)}</dd></div>
        <div><dt>Spans</dt><dd>{formatCount(totals.spans)}</dd></div>
        <div><dt>LLM calls</dt><dd>{formatCount(totals.llmCalls)}</dd></div>
        <div><dt>Tokens in / out</dt><dd>{formatCount(totals.inputTokens)} / {formatCount(totals.outputTokens)}</dd></div>
        <div><dt>Cost</dt><dd>{formatUsd(totals.usd)}</dd></div>
        <div><dt>Errors</dt><dd>{formatCount(totals.errors)}</dd></div>
        {trace.source === 'cassette' && <div><dt>Source</dt><dd><GitSource trace={trace} /></dd></div>}
        {trace.tags.length > 0 && <div><dt>Tags</dt><dd>{trace.tags.join(', ')}</dd></div>}
      </dl>
      {trace.error && <p class="notice notice-error" role="status">{trace.error.type}: {trace.error.message}</p>}
      <nav class="tabs" aria-label="Trace views">
        <a href={props.tabHref('timeline')} aria-current={props.tab === 'timeline' ? 'page' : undefined}>Timeline</a>
        <a href={props.tabHref('agents')} aria-current={props.tab === 'agents' ? 'page' : undefined}>Agents</a>
      </nav>
      {props.tab === 'agents' ? (
        <AgentsPanel spans={spans} loadTopology={props.loadTopology} loadDetections={props.loadDetections} onSpan={(id) => setCursor(playback.stepOfSpan.get(id) ?? 0)} spanHref={(id) => `${props.tabHref('timeline')}${props.tabHref('timeline').includes('?') ? '&' : '?'}step=${(playback.stepOfSpan.get(id) ?? 0) + 1}`} />
      ) : count === 0 ? (
        <p class="empty">This trace has no spans yet.</p>
      ) : (
        <>
          <PlayerBar playback={playback} cursor={cursor} playing={playing} speed={speed} onCursor={setCursor} onPlaying={setPlaying} onSpeed={setSpeed} />
          <div class="workspace-grid">
            <TimelineGrid
              rows={rows}
              stepOfSpan={playback.stepOfSpan}
              cursor={cursor}
              currentSpanId={current?.span.id}
              playhead={playhead}
              totalMs={range.endMs - range.startMs}
              collapsed={collapsed}
              onSelect={(id) => setCursor(playback.stepOfSpan.get(id) ?? 0)}
              onToggle={(id) => {
                const next = new Set(collapsed)
                if (next.has(id)) next.delete(id)
                else next.add(id)
                setCollapsed(next)
              }}
            />
            <Transcript playback={playback} cursor={cursor} onStep={setCursor} />
          </div>
          {current && (
            <>
              <SpanPanel span={current.span} fromCassette={trace.source === 'cassette'} loadCassette={props.loadCassette} onFork={props.renderFork ? () => setForking(true) : undefined} />
              {forking && props.renderFork?.(current.span, () => setForking(false))}
            </>
          )}
        </>
      )}
    </div>
  )
}
