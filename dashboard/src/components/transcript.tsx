import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import { prettyJson } from '../model/format.ts'
import type { Playback, TranscriptEntry } from '../model/playback.ts'

/** Lines shown at once; earlier ones open on request (a 5,000-step run stays quick). */
const SHOWN = 200

/**
 * The conversation as it had built up at the current step: messages, tool calls and tool
 * results, in the order they happened; the current step's lines stand out.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { buildPlayback } from '../model/playback.ts'
 * const span = (id: string, startMs: number, endMs: number, fields: object = {}) => ({ id, traceId: 't1', kind: 'span' as const, name: id, startedAt: new Date(startMs).toISOString(), endedAt: new Date(endMs).toISOString(), durationMs: endMs - startMs, status: 'ok' as const, children: [], ...fields })
 * const step = { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, tools: [], input: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }], output: [{ type: 'text', content: 'Sunny, 21 °C.' }], usage: { inputTokens: 12, outputTokens: 6 }, costUsd: 0.0000054 }
 * const spans = [span('weather-agent', 0, 900, { children: [
 *   span('get_weather', 100, 300, { kind: 'tool', input: { city: 'Paris' }, output: { sky: 'sunny' } }),
 *   span('openai.chat.completions', 300, 900, { kind: 'llm', step }),
 * ] })]
 * const playback = buildPlayback(spans)
 * let cursor = 1
 * const html = renderToString(<Transcript playback={playback} cursor={cursor} onStep={(step) => (cursor = step)} />)
 * // At step 2 the tool has been called, and its lines are the current ones:
 * html.includes('<li class="entry entry-tool-call current" data-step="2">') // → true
 * html.includes('Weather in Paris?') // → false
 * renderToString(<Transcript playback={playback} cursor={2} onStep={() => {}} />).includes('<div class="entry-text">Weather in Paris?</div>') // → true
 */
export function Transcript({ playback, cursor, onStep }: { playback: Playback; cursor: number; onStep(index: number): void }) {
  const [showAll, setShowAll] = useState(false)
  const end = playback.visibleEntries[cursor] ?? 0
  const begin = showAll ? 0 : Math.max(0, end - SHOWN)
  const entries = playback.entries.slice(begin, end)
  const scroller = useRef<HTMLDivElement>(null)
  useLayoutEffect(() => {
    const element = scroller.current
    const current = element?.querySelector('.entry.current')
    if (element && current) element.scrollTop = Math.max(0, (current as HTMLElement).offsetTop - element.clientHeight + (current as HTMLElement).offsetHeight + 8)
    else if (element) element.scrollTop = element.scrollHeight
  }, [cursor, end])
  return (
    <section class="transcript" aria-label="Transcript">
      <h2 class="section-title">Transcript</h2>
      <div class="transcript-scroll" ref={scroller} tabIndex={0} aria-label={`Transcript up to step ${cursor + 1}`}>
        {begin > 0 && (
          <button type="button" class="button subtle small" onClick={() => setShowAll(true)}>
            Show {begin} earlier line{begin === 1 ? '' : 's'}
          </button>
        )}
        {entries.length === 0 && <p class="muted">Nothing said yet at this step.</p>}
        <ol class="entries">
          {entries.map((entry, index) => (
            <Entry key={begin + index} entry={entry} current={entry.step === cursor} onStep={onStep} />
          ))}
        </ol>
      </div>
    </section>
  )
}

function Entry({ entry, current, onStep }: { entry: TranscriptEntry; current: boolean; onStep(index: number): void }) {
  const jump = (
    <button type="button" class="step-link" onClick={() => onStep(entry.step)} aria-label={`Go to step ${entry.step + 1}`}>
      {entry.step + 1}
    </button>
  )
  const cls = `entry entry-${entry.kind}${current ? ' current' : ''}`
  if (entry.kind === 'message') {
    return (
      <li class={`${cls} role-${entry.role}${entry.variant ? ` variant-${entry.variant}` : ''}`} data-step={entry.step + 1}>
        <div class="entry-head">
          <span class="entry-role">{entry.variant === 'reasoning' ? `${entry.role} · reasoning` : entry.variant === 'refusal' ? `${entry.role} · refusal` : entry.role}</span>
          {jump}
        </div>
        <div class="entry-text">{entry.text}</div>
      </li>
    )
  }
  if (entry.kind === 'tool-call') {
    return (
      <li class={cls} data-step={entry.step + 1}>
        <div class="entry-head">
          <span class="entry-role">tool call · <code>{entry.name}</code></span>
          {jump}
        </div>
        <pre class="entry-code">{prettyJson(entry.args)}</pre>
      </li>
    )
  }
  if (entry.kind === 'tool-result') {
    return (
      <li class={`${cls}${entry.failed ? ' failed' : ''}`} data-step={entry.step + 1}>
        <div class="entry-head">
          <span class="entry-role">tool result{entry.name ? <> · <code>{entry.name}</code></> : null}{entry.failed ? ' · failed' : ''}</span>
          {jump}
        </div>
        <pre class="entry-code">{prettyJson(entry.result)}</pre>
      </li>
    )
  }
  return (
    <li class={`${cls} tone-${entry.tone}`} data-step={entry.step + 1}>
      <div class="entry-head">
        <span class="entry-event">{entry.text}</span>
        {jump}
      </div>
    </li>
  )
}
