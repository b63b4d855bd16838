import { useEffect, useState } from 'preact/hooks'
import { api, errorText } from '../api/api-client.ts'
import type { SharedTrace } from '../api/api-types.ts'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import type { Cassette } from '../model/cassette-export.ts'
import { formatTime } from '../model/format.ts'
import { location } from '../state/router.ts'
import { TraceWorkspace } from './trace-workspace.tsx'

/**
 * A trace opened from a public share link: read-only, no key, this trace and nothing else.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // The app shows it at /s/:token, signed in or not; the trace is loaded once it is mounted:
 * const html = renderToString(<SharedTraceView token="rts_Ab3d" />)
 * html.includes('<span class="muted small">A shared, read-only trace</span>') // → true
 * html.includes('<p class="muted" aria-busy="true">Loading the shared trace…</p>') // → true
 */
export function SharedTraceView({ token }: { token: string }) {
  const [shared, setShared] = useState<SharedTrace | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  useTitle(shared ? `${shared.trace.name ?? 'Trace'} (shared)` : 'Shared trace')
  const path = `/api/v1/shared/${encodeURIComponent(token)}`
  useEffect(() => {
    api<SharedTrace>(path, { quiet401: true }).then(setShared, (error: unknown) => setFailure(errorText(error)))
  }, [token])
  const tab = location.value.searchParams.get('tab') === 'agents' ? 'agents' : 'timeline'
  const step = Number(location.value.searchParams.get('step'))
  const base = `/s/${encodeURIComponent(token)}`
  let cassette: Promise<Cassette> | undefined
  return (
    <>
      <header class="top-bar shared-bar">
        <span class="brand">Retrace</span>
        <span class="muted small">A shared, read-only trace{shared?.share.expiresAt ? ` · link expires ${formatTime(shared.share.expiresAt)}` : ''}</span>
      </header>
      <main id="main" class="page">
        {failure && (
          <>
            <h1>This link does not open</h1>
            <Notice tone="error">{failure}</Notice>
          </>
        )}
        {!shared && !failure && <p class="muted" aria-busy="true">Loading the shared trace…</p>}
        {shared && (
          <TraceWorkspace
            trace={shared.trace}
            spans={shared.spans}
            tab={tab}
            tabHref={(next) => (next === 'agents' ? `${base}?tab=agents` : base)}
            initialStep={Number.isInteger(step) && step > 0 ? step : undefined}
            loadTopology={async () => shared.topology}
            loadCassette={() => (cassette ??= api<Cassette>(`${path}/cassette`, { quiet401: true }))}
          />
        )}
      </main>
    </>
  )
}
