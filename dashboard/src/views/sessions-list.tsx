import { useEffect, useState } from 'preact/hooks'
import { api, errorText, query } from '../api/api-client.ts'
import type { SessionPage, SessionSummary, TraceSummary } from '../api/api-types.ts'
import { Notice } from '../components/notice.tsx'
import { formatCount, formatTime, formatUsd } from '../model/format.ts'
import { TraceTable } from './traces-view.tsx'

/**
 * Traces grouped by session: each session opens to its traces, oldest first.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // Under "By session" on the traces page; the sessions are loaded once it is mounted:
 * renderToString(<SessionsList />) // → '<p class="muted" aria-busy="true">Loading sessions…</p>'
 */
export function SessionsList() {
  const [sessions, setSessions] = useState<SessionSummary[] | undefined>()
  const [cursor, setCursor] = useState<string | null>(null)
  const [failure, setFailure] = useState<string | undefined>()
  const load = async (after?: string) => {
    try {
      const page = await api<SessionPage>(`/api/v1/sessions${query({ limit: 50, cursor: after })}`)
      setSessions((current) => [...(after ? (current ?? []) : []), ...page.sessions])
      setCursor(page.nextCursor)
    } catch (error) {
      setFailure(errorText(error))
    }
  }
  useEffect(() => void load(), [])
  if (failure) return <Notice tone="error">{failure}</Notice>
  if (!sessions) return <p class="muted" aria-busy="true">Loading sessions…</p>
  if (!sessions.length) return <p class="empty">No sessions yet: traces join one when recorded with <code>sessionId</code>.</p>
  return (
    <>
      <ul class="sessions">
        {sessions.map((session) => (
          <SessionItem key={session.id} session={session} />
        ))}
      </ul>
      {cursor && (
        <button type="button" class="button" onClick={() => void load(cursor)}>
          Load more sessions
        </button>
      )}
    </>
  )
}

function SessionItem({ session }: { session: SessionSummary }) {
  const [traces, setTraces] = useState<TraceSummary[] | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  const onToggle = (event: Event) => {
    if (!(event.currentTarget as HTMLDetailsElement).open || traces) return
    api<{ traces: TraceSummary[] }>(`/api/v1/sessions/${encodeURIComponent(session.id)}`).then(
      (body) => setTraces(body.traces),
      (error: unknown) => setFailure(errorText(error)),
    )
  }
  return (
    <li>
      <details onToggle={onToggle}>
        <summary>
          <strong>{session.id}</strong>
          <span class="muted">
            {' '}· {formatCount(session.traces)} trace{session.traces === 1 ? '' : 's'} · {formatTime(session.firstAt)} → {formatTime(session.lastAt)} · {formatCount(session.totals.inputTokens + session.totals.outputTokens)} tokens · {formatUsd(session.totals.usd)}
          </span>
          {session.hasError && <span class="badge badge-bad">errors</span>}
        </summary>
        {failure && <Notice tone="error">{failure}</Notice>}
        {!traces && !failure && <p class="muted">Loading…</p>}
        {traces && <TraceTable traces={traces} />}
      </details>
    </li>
  )
}
