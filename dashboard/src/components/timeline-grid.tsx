import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { formatDuration } from '../model/format.ts'
import { visibleWindow, type SpanRow } from '../model/span-rows.ts'

export const ROW_HEIGHT = 28
const VIEWPORT = 448

export interface TimelineGridProps {
  rows: readonly SpanRow[]
  /** Step index of each span (the replay order). */
  stepOfSpan: ReadonlyMap<string, number>
  cursor: number
  currentSpanId: string | undefined
  /** Where the playhead is, in [0, 1] of the run's time. */
  playhead: number
  totalMs: number
  collapsed: ReadonlySet<string>
  onSelect(spanId: string): void
  onToggle(spanId: string): void
}

/**
 * The span tree and the gantt timeline side by side, one row per span: the tree on the left
 * (collapsible), the span's bar on the right on the run's time axis, with the playhead of the
 * replay. Only the rows in view are rendered, so a run of thousands of spans stays quick.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { buildPlayback } from '../model/playback.ts'
 * import { spanRows, timeRange } from '../model/span-rows.ts'
 * const span = (id: string, startMs: number, endMs: number, fields: object = {}) => ({ id, traceId: 't1', kind: 'span' as const, name: id, startedAt: new Date(startMs).toISOString(), endedAt: new Date(endMs).toISOString(), durationMs: endMs - startMs, status: 'ok' as const, children: [], ...fields })
 * const step = { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, tools: [], input: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }], output: [{ type: 'text', content: 'Sunny, 21 °C.' }], usage: { inputTokens: 12, outputTokens: 6 }, costUsd: 0.0000054 }
 * const spans = [span('weather-agent', 0, 900, { children: [
 *   span('get_weather', 100, 300, { kind: 'tool', input: { city: 'Paris' }, output: { sky: 'sunny' } }),
 *   span('openai.chat.completions', 300, 900, { kind: 'llm', step }),
 * ] })]
 * const playback = buildPlayback(spans)
 * const range = timeRange(spans)
 * const totalMs = range.endMs - range.startMs
 * const html = renderToString(
 *   <TimelineGrid rows={spanRows(spans, new Set(), range)} stepOfSpan={playback.stepOfSpan} cursor={1} currentSpanId="get_weather"
 *     playhead={playback.steps[1]!.atMs / totalMs} totalMs={totalMs} collapsed={new Set()} onSelect={() => {}} onToggle={() => {}} />,
 * )
 * html.includes('aria-label="3 spans"') // → true
 * // get_weather is step 2, the current one; the answer is still to come:
 * html.includes('<li class="timeline-row current" data-span-id="get_weather" data-step="2"') // → true
 * html.includes('<li class="timeline-row future" data-span-id="openai.chat.completions" data-step="3"') // → true
 */
export function TimelineGrid(props: TimelineGridProps) {
  const { rows, cursor } = props
  const scroller = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const currentRow = props.currentSpanId === undefined ? -1 : rows.findIndex((row) => row.span.id === props.currentSpanId)

  // Keep the current step's row in view while the replay moves.
  useLayoutEffect(() => {
    const element = scroller.current
    if (!element || currentRow < 0) return
    const top = currentRow * ROW_HEIGHT
    if (top < element.scrollTop || top + ROW_HEIGHT > element.scrollTop + element.clientHeight) {
      element.scrollTop = Math.max(0, top - element.clientHeight / 3)
      setScrollTop(element.scrollTop)
    }
  }, [currentRow])
  useEffect(() => setScrollTop(scroller.current?.scrollTop ?? 0), [rows])

  const { first, last } = visibleWindow({ count: rows.length, rowHeight: ROW_HEIGHT, scrollTop, viewport: VIEWPORT })
  const visible = rows.slice(first, last + 1)
  const ticks = [0, 0.25, 0.5, 0.75, 1]
  return (
    <section class="timeline" aria-label="Span tree and timeline">
      <div class="timeline-head" aria-hidden="true">
        <span class="timeline-head-tree">Span</span>
        <span class="timeline-head-axis">
          {ticks.map((tick) => (
            <span key={tick} style={{ left: `${tick * 100}%` }}>{formatDuration(props.totalMs * tick)}</span>
          ))}
        </span>
      </div>
      <div class="timeline-scroll" ref={scroller} style={{ height: `${Math.min(VIEWPORT, Math.max(rows.length, 1) * ROW_HEIGHT + 2)}px` }} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <div style={{ height: `${rows.length * ROW_HEIGHT}px`, position: 'relative' }}>
          <div class="playhead" style={{ left: `calc(var(--tree-width) + (100% - var(--tree-width) - var(--track-end)) * ${props.playhead})` }} aria-hidden="true" />
          <ol class="timeline-rows" style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }} aria-label={`${rows.length} spans`}>
            {visible.map((row) => {
              const step = props.stepOfSpan.get(row.span.id) ?? 0
              const when = step < cursor ? 'past' : step === cursor ? 'current' : 'future'
              const failed = row.span.status === 'error'
              return (
                <li key={row.span.id} class={`timeline-row ${when}${failed ? ' failed' : ''}`} data-span-id={row.span.id} data-step={step + 1} style={{ height: `${ROW_HEIGHT}px` }}>
                  <span class="timeline-tree" style={{ paddingLeft: `${row.depth * 14 + 4}px` }}>
                    {row.hasChildren ? (
                      <button type="button" class="twisty" aria-expanded={!props.collapsed.has(row.span.id)} aria-label={`${props.collapsed.has(row.span.id) ? 'Expand' : 'Collapse'} ${row.span.name}`} onClick={() => props.onToggle(row.span.id)}>
                        {props.collapsed.has(row.span.id) ? '▸' : '▾'}
                      </button>
                    ) : (
                      <span class="twisty-space" />
                    )}
                    <button type="button" class="row-select" aria-current={when === 'current' ? 'step' : undefined} onClick={() => props.onSelect(row.span.id)}>
                      <span class={`kind-dot kind-${row.span.kind}`} aria-hidden="true" />
                      <span class="row-name">{row.span.name}</span>
                      <span class="visually-hidden">, {row.span.kind}, step {step + 1}{failed ? ', failed' : ''}</span>
                      <span class="row-duration">{formatDuration(row.span.durationMs)}</span>
                    </button>
                  </span>
                  <span class="timeline-track" aria-hidden="true">
                    <span class={`bar kind-bg-${row.span.kind}`} style={{ left: `${row.start * 100}%`, width: `max(2px, ${row.width * 100}%)` }} />
                  </span>
                </li>
              )
            })}
          </ol>
        </div>
      </div>
    </section>
  )
}
