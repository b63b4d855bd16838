import { useEffect, useState } from 'preact/hooks'
import { errorText } from '../api/api-client.ts'
import type { Message, MessagePart, SpanNode } from '../api/api-types.ts'
import { KindBadge, StatusBadge } from '../components/badges.tsx'
import { JsonBlock } from '../components/json-block.tsx'
import { Notice } from '../components/notice.tsx'
import { interactionIndex, singleInteractionCassette, spanInteraction, type Cassette } from '../model/cassette-export.ts'
import { formatCount, formatDuration, formatTime, formatUsd, prettyJson } from '../model/format.ts'

export interface SpanPanelProps {
  span: SpanNode
  /** Whether the trace is a pushed cassette (its spans carry the recorded HTTP exchange). */
  fromCassette: boolean
  /** Loads the trace's cassette (once), for the recorded request and response. */
  loadCassette(): Promise<Cassette>
  /** Shown only where forking is possible (signed in, not a shared page). */
  onFork?: (() => void) | undefined
}

/**
 * One span in full: messages, tool calls and their arguments, output, usage, cost, latency
 * and error; for a pushed cassette, the recorded request and response (redacted when
 * recorded) and "Copy as cassette".
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { api } from '../api/api-client.ts'
 * import type { Step } from '../api/api-types.ts'
 * import type { Cassette } from '../model/cassette-export.ts'
 * const step: Step = { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, tools: [], input: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }], output: [{ type: 'text', content: 'Sunny, 21 °C.' }], usage: { inputTokens: 12, outputTokens: 6 }, costUsd: 0.0000054 }
 * const span = { id: 'sp_2', traceId: 't1', kind: 'llm' as const, name: 'openai.chat.completions', startedAt: '2026-03-01T10:00:00.300Z', endedAt: '2026-03-01T10:00:00.900Z', durationMs: 600, status: 'ok' as const, children: [], step }
 * // Streamed by the SDK (not a pushed cassette): the cassette is not loaded, the step is shown.
 * const html = renderToString(<SpanPanel span={span} fromCassette={false} loadCassette={() => api<Cassette>('/api/v1/traces/t1/cassette')} />)
 * html.includes('<div class="entry-text">Weather in Paris?</div>') // → true
 * html.includes('<dt>Model</dt><dd>gpt-4o-mini <span class="muted small">(openai)</span></dd>') // → true
 * html.includes('<dt>Tokens in / out</dt><dd>12 / 6</dd>') // → true
 */
export function SpanPanel({ span, fromCassette, loadCassette, onFork }: SpanPanelProps) {
  const step = span.step
  const usage = step?.usage
  return (
    <section class="span-panel" aria-labelledby="span-title" data-span-id={span.id}>
      <div class="span-head">
        <h2 id="span-title" class="section-title">
          <KindBadge kind={span.kind} /> {span.name}
        </h2>
        <StatusBadge status={span.status} />
        {onFork && (
          <button type="button" class="button primary" onClick={onFork}>
            Fork from here
          </button>
        )}
      </div>
      <dl class="facts">
        <div><dt>Started</dt><dd>{formatTime(span.startedAt)}</dd></div>
        <div><dt>Latency</dt><dd>{formatDuration(step?.latencyMs ?? span.durationMs)}</dd></div>
        {step && <div><dt>Model</dt><dd>{step.responseModel ?? step.model ?? '—'} <span class="muted small">({step.provider})</span></dd></div>}
        {usage && <div><dt>Tokens in / out</dt><dd>{formatCount(usage.inputTokens)} / {formatCount(usage.outputTokens)}{usage.cacheReadTokens ? <span class="muted small"> ({formatCount(usage.cacheReadTokens)} cached)</span> : null}</dd></div>}
        {step && <div><dt>Cost</dt><dd>{formatUsd(step.costUsd)}{step.pricing && step.pricing !== 'table' ? <span class="muted small"> ({step.pricing})</span> : null}</dd></div>}
        {step?.finishReason && <div><dt>Finish</dt><dd>{step.finishReason}</dd></div>}
        {span.agent && <div><dt>Agent</dt><dd>{span.agent.id}{span.agent.role ? ` (${span.agent.role})` : ''}</dd></div>}
        <div><dt>Span id</dt><dd><code>{span.id}</code></dd></div>
      </dl>
      {span.error && <Notice tone="error">{span.error.type}: {span.error.message}</Notice>}
      {step ? (
        <>
          {step.input.length > 0 && (
            <>
              <h3 class="subhead">Messages</h3>
              <ol class="messages">
                {step.input.map((message, index) => (
                  <MessageItem key={index} message={message} />
                ))}
              </ol>
            </>
          )}
          <h3 class="subhead">Output</h3>
          {step.output.length ? (
            <ol class="messages">
              <MessageItem message={{ role: 'assistant', parts: step.output }} />
            </ol>
          ) : (
            <p class="muted">No output{step.complete ? '' : ' (the response ended early)'}.</p>
          )}
          {step.tools.length > 0 && (
            <details class="more">
              <summary>Tools offered ({step.tools.length})</summary>
              <JsonBlock label="Tools offered" value={step.tools} />
            </details>
          )}
          {step.parameters && Object.keys(step.parameters).length > 0 && (
            <details class="more">
              <summary>Parameters</summary>
              <JsonBlock label="Parameters" value={step.parameters} />
            </details>
          )}
        </>
      ) : (
        <>
          {span.input !== undefined && (
            <>
              <h3 class="subhead">{span.kind === 'tool' ? 'Arguments' : 'Input'}</h3>
              <JsonBlock label={span.kind === 'tool' ? 'Arguments' : 'Input'} value={span.input} />
            </>
          )}
          {span.output !== undefined && (
            <>
              <h3 class="subhead">Output</h3>
              <JsonBlock label="Output" value={span.output} />
            </>
          )}
        </>
      )}
      <RecordedExchange span={span} fromCassette={fromCassette} loadCassette={loadCassette} />
    </section>
  )
}

function MessageItem({ message }: { message: Pick<Message, 'role' | 'parts'> & { name?: string } }) {
  return (
    <li class={`message role-${message.role}`}>
      <span class="entry-role">{message.role}{message.name ? ` · ${message.name}` : ''}</span>
      {message.parts.map((part, index) => (
        <PartView key={index} part={part} />
      ))}
    </li>
  )
}

function PartView({ part }: { part: MessagePart }) {
  switch (part.type) {
    case 'text':
      return <div class="entry-text">{part.content}</div>
    case 'reasoning':
      return <div class="entry-text reasoning"><span class="muted small">reasoning: </span>{part.content}</div>
    case 'refusal':
      return <div class="entry-text"><span class="muted small">refusal: </span>{part.content}</div>
    case 'tool_call':
      return (
        <div class="part-tool">
          <span class="small">tool call <code>{part.name}</code>{part.id ? <span class="muted"> · {part.id}</span> : null}</span>
          <pre class="entry-code">{prettyJson(part.arguments)}</pre>
        </div>
      )
    case 'tool_call_response':
      return (
        <div class="part-tool">
          <span class="small">tool result{part.name ? <> <code>{part.name}</code></> : null}{part.id ? <span class="muted"> · {part.id}</span> : null}</span>
          <pre class="entry-code">{prettyJson(part.response)}</pre>
        </div>
      )
    case 'uri':
      return <div class="entry-text">{part.modality ?? 'file'}: {part.uri}</div>
    default:
      return <div class="entry-text muted">{part.type}</div>
  }
}

function RecordedExchange({ span, fromCassette, loadCassette }: Pick<SpanPanelProps, 'span' | 'fromCassette' | 'loadCassette'>) {
  const own = spanInteraction(span)
  const index = interactionIndex(span.metadata as Record<string, unknown> | undefined)
  const [cassette, setCassette] = useState<Cassette | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  const [copied, setCopied] = useState<string | undefined>()
  const [fallback, setFallback] = useState<string | undefined>()
  useEffect(() => {
    setCopied(undefined)
    setFallback(undefined)
    if (own || !fromCassette || index === undefined) return
    loadCassette().then(setCassette, (error: unknown) => setFailure(errorText(error)))
  }, [span.id])
  const copy = async (text: string, what: string) => {
    try {
      await navigator.clipboard.writeText(text)
      setCopied(`${what} copied to the clipboard.`)
      setFallback(undefined)
    } catch {
      // No clipboard (an insecure origin, or permission refused): show the text to copy by hand.
      setFallback(text)
      setCopied(`The clipboard is not available here: the ${what.toLowerCase()} is below, selected.`)
    }
  }
  const interaction = own ?? (index === undefined ? undefined : cassette?.interactions[index])
  const pushed = !own && fromCassette && index !== undefined
  return (
    <div class="recorded">
      <h3 class="subhead">Recorded request and response</h3>
      {failure && <Notice tone="error">{failure}</Notice>}
      {pushed && !cassette && !failure && <p class="muted">Loading the cassette…</p>}
      {!own && !pushed && (
        <p class="muted small">
          {fromCassette
            ? 'This span is not an HTTP call of the cassette.'
            : span.step
              ? 'Streamed without its HTTP exchange (captureContent: false, an SDK before Fork & Replay, or an exchange over maxPayloadChars): the server keeps the provider-neutral step above. Push the run’s cassette (retrace push) to keep the request and response.'
              : 'Not an HTTP call: nothing was recorded on the wire for this span.'}
        </p>
      )}
      {interaction && (
        <>
          <p class="small">
            <code>{interaction.request.method} {interaction.request.url}</code>
            {interaction.response && <> → <strong>{interaction.response.status}</strong></>}
            <span class="muted"> · redacted when recorded</span>
          </p>
          <details class="more">
            <summary>Request</summary>
            <JsonBlock label="Recorded request" value={interaction.request} />
          </details>
          <details class="more">
            <summary>Response</summary>
            <JsonBlock label="Recorded response" value={interaction.response ?? interaction.error ?? null} />
          </details>
          <button type="button" class="button" onClick={() => void copy(singleInteractionCassette(interaction, cassette?.meta), 'Cassette')}>
            Copy as cassette
          </button>
        </>
      )}
      {!interaction && span.step && !pushed && (
        <button type="button" class="button subtle" onClick={() => void copy(`${JSON.stringify(span.step, null, 2)}\n`, 'Step')}>
          Copy step as JSON
        </button>
      )}
      <CopyStatus copied={copied} fallback={fallback} />
    </div>
  )
}

function CopyStatus({ copied, fallback }: { copied: string | undefined; fallback: string | undefined }) {
  return (
    <>
      <p class="small" role="status">{copied}</p>
      {fallback && (
        <>
          <label class="visually-hidden" for="copy-fallback">Text to copy</label>
          <textarea id="copy-fallback" class="code" rows={8} readOnly value={fallback} ref={(element) => element?.select()} />
        </>
      )}
    </>
  )
}
