import { useEffect, useState } from 'preact/hooks'
import { errorText } from '../api/api-client.ts'
import type { TraceDetections } from '../api/api-types.ts'
import { Notice } from '../components/notice.tsx'

/**
 * The multi-agent detectors' flags the server stored with a trace, most confident first: the
 * kind and MAST mode, the agent, what happened, and a link to the decisive step. Beside the
 * topology in the agents view.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { api } from '../api/api-client.ts'
 * import type { TraceDetections } from '../api/api-types.ts'
 * const flags = <AgentFlags load={() => api<TraceDetections>('/api/v1/traces/t1/detections')} reloadOn="t1" spanHref={(spanId) => `/traces/t1?span=${spanId}`} />
 * // The flags are loaded once it is mounted; until then it says so:
 * renderToString(flags).includes('<p class="muted small">Loading the flags…</p>') // → true
 */
export function AgentFlags({ load, reloadOn, spanHref }: { load(): Promise<TraceDetections>; reloadOn: unknown; spanHref(spanId: string): string }) {
  const [detections, setDetections] = useState<TraceDetections | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  useEffect(() => {
    load().then(setDetections, (error: unknown) => setFailure(errorText(error)))
  }, [reloadOn])
  return (
    <section class="agent-flags" aria-labelledby="flags-title" aria-busy={!detections && !failure}>
      <h2 class="section-title" id="flags-title">Failure flags</h2>
      {failure ? <Notice tone="error">{failure}</Notice> : !detections ? <p class="muted small">Loading the flags…</p> : <FlagList detections={detections} spanHref={spanHref} />}
    </section>
  )
}

function FlagList({ detections, spanHref }: { detections: TraceDetections; spanHref(spanId: string): string }) {
  if (detections.status === 'none') return <p class="muted small">Not detected yet: the server runs the detectors when the run ends.</p>
  if (detections.status === 'failed') return <Notice tone="error">The detectors did not finish: {detections.error?.message ?? 'no detail'}</Notice>
  const about = [
    detections.traceStatus === 'running' ? 'live, while the run goes on' : null,
    `rules v${detections.version}${detections.outdated ? ` (this server has v${detections.currentVersion})` : ''}`,
  ].filter(Boolean)
  return (
    <>
      <p class="muted small">{about.join(' · ')}</p>
      {detections.flags.length === 0 ? (
        <p class="empty">No failure flagged.</p>
      ) : (
        <ol class="flag-list">
          {detections.flags.map((flag, index) => (
            <li key={`${flag.kind}-${flag.spanIds[0]}-${index}`}>
              <p>
                <strong>{flag.kind}</strong> <span class="muted small">{flag.mastMode} · confidence {flag.confidence}</span>
              </p>
              <p>
                <span class="flag-agent">{flag.agent}</span>: {flag.message} <a href={spanHref(flag.spanIds[0]!)}>Decisive step</a>
              </p>
            </li>
          ))}
        </ol>
      )}
    </>
  )
}
