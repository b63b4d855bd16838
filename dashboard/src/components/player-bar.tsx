import { formatCount, formatDuration, formatUsd } from '../model/format.ts'
import type { Playback } from '../model/playback.ts'

export const SPEEDS = [0.5, 1, 2, 4, 8] as const

export interface PlayerBarProps {
  playback: Playback
  cursor: number
  playing: boolean
  speed: number
  onCursor(index: number): void
  onPlaying(playing: boolean): void
  onSpeed(speed: number): void
}

/**
 * The replay's controls: step back and forth, play and pause, a scrubber over every step,
 * the speed, and the tokens, cost and time the run had spent at the current step.
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
 * let cursor = 2
 * const html = renderToString(<PlayerBar playback={playback} cursor={cursor} playing={false} speed={1} onCursor={(step) => (cursor = step)} onPlaying={() => {}} onSpeed={() => {}} />)
 * html.includes('<strong>Step 3 of 3</strong><span> · openai.chat.completions</span>') // → true
 * html.includes('so far 12 in / 6 out tokens · $0.0000054 · 900 ms · 1 LLM call') // → true
 * // On the last step, Next is off:
 * html.includes('aria-label="Next step" aria-keyshortcuts="ArrowRight" disabled') // → true
 */
export function PlayerBar(props: PlayerBarProps) {
  const { playback, cursor } = props
  const count = playback.steps.length
  const step = playback.steps[cursor]
  const totals = playback.running[cursor]
  const last = Math.max(0, count - 1)
  return (
    <section class="player" aria-label="Replay">
      <div class="player-controls">
        <button type="button" class="icon-button" aria-label="First step" onClick={() => props.onCursor(0)} disabled={cursor === 0}><Icon name="first" /></button>
        <button type="button" class="icon-button" aria-label="Previous step" aria-keyshortcuts="ArrowLeft" onClick={() => props.onCursor(Math.max(0, cursor - 1))} disabled={cursor === 0}><Icon name="previous" /></button>
        <button type="button" class="icon-button play" aria-label={props.playing ? 'Pause' : 'Play'} aria-keyshortcuts="Space" data-playing={props.playing} onClick={() => props.onPlaying(!props.playing)} disabled={count < 2}>
          <Icon name={props.playing ? 'pause' : 'play'} />
        </button>
        <button type="button" class="icon-button" aria-label="Next step" aria-keyshortcuts="ArrowRight" onClick={() => props.onCursor(Math.min(last, cursor + 1))} disabled={cursor >= last}><Icon name="next" /></button>
        <button type="button" class="icon-button" aria-label="Last step" onClick={() => props.onCursor(last)} disabled={cursor >= last}><Icon name="last" /></button>
        <label class="visually-hidden" for="scrubber">Step</label>
        <input
          id="scrubber"
          class="scrubber"
          type="range"
          min={0}
          max={last}
          value={cursor}
          aria-valuetext={step ? `Step ${cursor + 1} of ${count}: ${step.span.name}` : 'No steps'}
          onInput={(event) => props.onCursor(Number(event.currentTarget.value))}
          disabled={count < 2}
        />
        <label class="speed">
          <span>Speed</span>
          <select value={String(props.speed)} onChange={(event) => props.onSpeed(Number(event.currentTarget.value))}>
            {SPEEDS.map((speed) => (
              <option key={speed} value={String(speed)}>{speed}×</option>
            ))}
          </select>
        </label>
      </div>
      <p class="player-status" data-testid="player-status">
        <strong>Step {count ? cursor + 1 : 0} of {count}</strong>
        {step && <span> · {step.span.name}</span>}
        {totals && (
          <span class="muted">
            {' '}· so far {formatCount(totals.inputTokens)} in / {formatCount(totals.outputTokens)} out tokens · {formatUsd(totals.usd)} · {formatDuration(totals.elapsedMs)} · {totals.llmCalls} LLM call{totals.llmCalls === 1 ? '' : 's'}
          </span>
        )}
      </p>
    </section>
  )
}

const ICONS: Record<'first' | 'previous' | 'play' | 'pause' | 'next' | 'last', string> = {
  first: 'M3 2h2v12H3zM14 2v12L6 8z',
  previous: 'M12 2v12L4 8z',
  play: 'M4 2v12l10-6z',
  pause: 'M3 2h4v12H3zM9 2h4v12H9z',
  next: 'M4 2v12l8-6z',
  last: 'M11 2h2v12h-2zM2 2v12l8-6z',
}

/** A player glyph drawn inline (no icon font to fetch); its button carries the label. */
function Icon({ name }: { name: keyof typeof ICONS }) {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d={ICONS[name]} fill="currentColor" />
    </svg>
  )
}
