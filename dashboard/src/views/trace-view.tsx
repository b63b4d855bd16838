import { useEffect, useRef, useState } from 'preact/hooks'
import { api, errorText, takePrefetched } from '../api/api-client.ts'
import type { AgentTopology, TraceDetail, TraceDetections } from '../api/api-types.ts'
import { onLiveTraces } from '../api/live-updates.ts'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import type { Cassette } from '../model/cassette-export.ts'
import { location } from '../state/router.ts'
import { ForkPanel } from './fork-panel.tsx'
import { SharePanel } from './share-panel.tsx'
import { TraceWorkspace } from './trace-workspace.tsx'

/**
 * A signed-in trace: the workspace, kept current over the live stream, with Share and Fork.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // The app shows it at /traces/:traceId (tab "timeline") and /traces/:traceId/agents; the trace is loaded once it is mounted:
 * renderToString(<TraceView traceId="t1" tab="timeline" />) // → '<p class="muted" aria-busy="true">Loading the trace…</p>'
 */
export function TraceView({ traceId, tab }: { traceId: string; tab: 'timeline' | 'agents' }) {
  const [detail, setDetail] = useState<TraceDetail | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  const [sharing, setSharing] = useState(false)
  const cassette = useRef<Promise<Cassette> | undefined>(undefined)
  useTitle(detail?.trace.name ?? 'Trace')
  const path = `/api/v1/traces/${encodeURIComponent(traceId)}`
  useEffect(() => {
    setDetail(undefined)
    setFailure(undefined)
    cassette.current = undefined
    const controller = new AbortController()
    const fetchTrace = () => api<TraceDetail>(path, { signal: controller.signal })
    ;(takePrefetched<TraceDetail>(path)?.catch(fetchTrace) ?? fetchTrace()).then(
      (body) => {
        performance.mark('retrace:trace-fetched')
        setDetail(body)
      },
      (error: unknown) => controller.signal.aborted || setFailure(errorText(error)),
    )
    let timer: ReturnType<typeof setTimeout> | undefined
    const stop = onLiveTraces((ids) => {
      if (!ids.includes(traceId)) return
      clearTimeout(timer)
      timer = setTimeout(() => api<TraceDetail>(path).then(setDetail, () => {}), 150)
    })
    return () => {
      controller.abort()
      clearTimeout(timer)
      stop()
    }
  }, [traceId])
  if (failure) return <Notice tone="error">{failure}</Notice>
  if (!detail) return <p class="muted" aria-busy="true">Loading the trace…</p>
  const step = Number(location.value.searchParams.get('step'))
  const base = `/traces/${encodeURIComponent(traceId)}`
  return (
    <TraceWorkspace
      trace={detail.trace}
      spans={detail.spans}
      tab={tab}
      tabHref={(next) => (next === 'agents' ? `${base}/agents` : base)}
      initialStep={Number.isInteger(step) && step > 0 ? step : undefined}
      loadTopology={() => api<AgentTopology>(`${path}/topology`)}
      loadDetections={() => api<TraceDetections>(`${path}/detections`)}
      loadCassette={() => (cassette.current ??= api<Cassette>(`${path}/cassette`))}
      actions={
        <>
          <button type="button" class="button" aria-expanded={sharing} onClick={() => setSharing(!sharing)}>
            Share
          </button>
          {sharing && <SharePanel traceId={traceId} onClose={() => setSharing(false)} />}
        </>
      }
      renderFork={(span, close) => <ForkPanel trace={detail.trace} span={span} onClose={close} />}
    />
  )
}
