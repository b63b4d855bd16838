import { useEffect, useRef, useState } from 'preact/hooks'
import { api, errorText, query } from '../api/api-client.ts'
import type { TracePage, TraceSummary } from '../api/api-types.ts'
import { onLiveTraces } from '../api/live-updates.ts'
import { StatusBadge } from '../components/badges.tsx'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import { formatCount, formatDuration, formatTime, formatUsd } from '../model/format.ts'
import { apiTraceQuery, EMPTY_FILTERS, filtersFromQuery, filtersToQuery, type TraceFilters } from '../model/trace-filters.ts'
import { location, navigate } from '../state/router.ts'
import { SessionsList } from './sessions-list.tsx'

const PAGE_SIZE = 50

/**
 * The trace list: search, filters, sort, cursor pages, live updates; or the same traces grouped by session.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { location } from '../state/router.ts'
 * // The app shows it at `/`; the filters come from the address, the traces once it is mounted:
 * location.value = new URL('http://localhost/?q=paris')
 * const html = renderToString(<TracesView />)
 * html.includes('id="filter-q" value="paris"') // → true
 * html.includes('<p class="muted" aria-busy="true">Loading traces…</p>') // → true
 * location.value = new URL('http://localhost/')
 */
export function TracesView() {
  useTitle('Traces')
  const filters = filtersFromQuery(location.value.searchParams)
  const key = JSON.stringify(filters)
  const [draft, setDraft] = useState<TraceFilters>(filters)
  const [traces, setTraces] = useState<TraceSummary[] | undefined>()
  const [cursor, setCursor] = useState<string | null>(null)
  const [failure, setFailure] = useState<string | undefined>()
  const [loadingMore, setLoadingMore] = useState(false)
  const [fresh, setFresh] = useState<string | undefined>()
  const tracesRef = useRef<TraceSummary[] | undefined>(undefined)
  tracesRef.current = traces

  useEffect(() => setDraft(filters), [key])
  useEffect(() => {
    if (filters.group !== 'traces') return
    const controller = new AbortController()
    setTraces(undefined)
    setFailure(undefined)
    api<TracePage>(`/api/v1/traces${query(apiTraceQuery(filters, PAGE_SIZE))}`, { signal: controller.signal }).then(
      (page) => {
        setTraces(page.traces)
        setCursor(page.nextCursor)
      },
      (error: unknown) => controller.signal.aborted || setFailure(errorText(error)),
    )
    // New and changed traces arrive over the live stream: the first page is read again and
    // merged, so pages already loaded below stay.
    let timer: ReturnType<typeof setTimeout> | undefined
    const stop = onLiveTraces(() => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        api<TracePage>(`/api/v1/traces${query(apiTraceQuery(filters, PAGE_SIZE))}`).then((page) => {
          const current = tracesRef.current ?? []
          const known = new Set(current.map((trace) => trace.id))
          const added = page.traces.filter((trace) => !known.has(trace.id)).length
          const firstIds = new Set(page.traces.map((trace) => trace.id))
          setTraces([...page.traces, ...current.filter((trace) => !firstIds.has(trace.id))])
          if (added) setFresh(`${added} new trace${added === 1 ? '' : 's'}`)
        }, () => {})
      }, 250)
    })
    return () => {
      controller.abort()
      clearTimeout(timer)
      stop()
    }
  }, [key])

  const apply = (event: Event) => {
    event.preventDefault()
    navigate(`/${query(filtersToQuery(draft))}`, { replace: true })
  }
  const reset = () => navigate('/', { replace: true })
  const loadMore = async () => {
    if (!cursor) return
    setLoadingMore(true)
    try {
      const page = await api<TracePage>(`/api/v1/traces${query(apiTraceQuery(filters, PAGE_SIZE, cursor))}`)
      setTraces([...(traces ?? []), ...page.traces])
      setCursor(page.nextCursor)
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setLoadingMore(false)
    }
  }
  const field = (name: keyof TraceFilters) => ({
    id: `filter-${name}`,
    value: draft[name],
    onInput: (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value }),
  })

  return (
    <>
      <div class="page-head">
        <h1>Traces</h1>
        <div class="segmented" role="group" aria-label="Show">
          <a href={`/${query(filtersToQuery({ ...filters, group: 'traces' }))}`} aria-current={filters.group === 'traces' ? 'true' : undefined}>All traces</a>
          <a href={`/${query(filtersToQuery({ ...filters, group: 'sessions' }))}`} aria-current={filters.group === 'sessions' ? 'true' : undefined}>By session</a>
        </div>
      </div>
      {filters.group === 'sessions' ? (
        <SessionsList />
      ) : (
        <>
          <form class="filters" onSubmit={apply} aria-label="Filter traces">
            <div class="field wide">
              <label for="filter-q">Search</label>
              <input type="search" placeholder="name, id, session, input or output" {...field('q')} />
            </div>
            <div class="field">
              <label for="filter-name">Name</label>
              <input type="text" {...field('name')} />
            </div>
            <div class="field">
              <label for="filter-status">Status</label>
              <select {...field('status')}>
                <option value="">any</option>
                <option value="running">running</option>
                <option value="completed">completed</option>
                <option value="failed">failed</option>
              </select>
            </div>
            <div class="field">
              <label for="filter-session">Session</label>
              <input type="text" {...field('session')} />
            </div>
            <div class="field">
              <label for="filter-tag">Tag</label>
              <input type="text" {...field('tag')} />
            </div>
            <div class="field">
              <label for="filter-from">From</label>
              <input type="datetime-local" step={1} {...field('from')} />
            </div>
            <div class="field">
              <label for="filter-to">To</label>
              <input type="datetime-local" step={1} {...field('to')} />
            </div>
            <div class="field narrow-field">
              <label for="filter-minCost">Min cost ($)</label>
              <input type="number" min={0} step="any" inputMode="decimal" {...field('minCost')} />
            </div>
            <div class="field narrow-field">
              <label for="filter-maxCost">Max cost ($)</label>
              <input type="number" min={0} step="any" inputMode="decimal" {...field('maxCost')} />
            </div>
            <div class="field">
              <label for="filter-sort">Sort</label>
              <select {...field('sort')}>
                <option value="newest">newest first</option>
                <option value="oldest">oldest first</option>
                <option value="cost">highest cost</option>
                <option value="duration">longest</option>
              </select>
            </div>
            <div class="field actions">
              <button type="submit" class="button primary">Apply</button>
              <button type="button" class="button subtle" onClick={reset} disabled={JSON.stringify(filters) === JSON.stringify(EMPTY_FILTERS)}>
                Clear
              </button>
            </div>
          </form>
          <div aria-live="polite" class="live-line">{fresh}</div>
          {failure && <Notice tone="error">{failure}</Notice>}
          {traces === undefined && !failure && <p class="muted" aria-busy="true">Loading traces…</p>}
          {traces && traces.length === 0 && <p class="empty">No traces match. Record one with the SDK (<code>record()</code>) or push a cassette (<code>retrace push</code>).</p>}
          {traces && traces.length > 0 && <TraceTable traces={traces} />}
          {cursor && (
            <button type="button" class="button" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </>
      )}
    </>
  )
}

/**
 * Traces as a table: outcome, time, size, cost, and where they came from.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // A page of `GET /api/v1/traces`:
 * const traces = [{
 *   id: 'tr_1', projectId: 'p1', name: 'weather-agent', sessionId: 'chat-42', status: 'completed' as const, startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:00:01.530Z',
 *   tags: [], hasError: false, lossy: false, droppedEvents: null, terminatedEarly: false, truncated: false, resumable: true, forkOf: null, forkPointStep: null, forkId: null,
 *   source: 'sdk' as const, git: null, totals: { inputTokens: 1200, outputTokens: 80, usd: 0.00023, durationMs: 1530, spans: 3, llmCalls: 1, errors: 0 },
 * }]
 * const html = renderToString(<TraceTable traces={traces} />)
 * html.includes('<a href="/traces/tr_1">weather-agent</a>') // → true
 * html.includes('<td class="num">1.53 s</td><td class="num">3</td><td class="num">1,200 / 80</td><td class="num">$0.00023</td>') // → true
 */
export function TraceTable({ traces }: { traces: readonly TraceSummary[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Traces">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col" class="num">Duration</th>
            <th scope="col" class="num">Spans</th>
            <th scope="col" class="num">Tokens in / out</th>
            <th scope="col" class="num">Cost</th>
            <th scope="col">Session</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((trace) => (
            <tr key={trace.id} data-trace-id={trace.id}>
              <td>
                <a href={`/traces/${encodeURIComponent(trace.id)}`}>{trace.name ?? trace.id}</a>
                {trace.forkOf && <span class="muted small"> · fork of <a href={`/traces/${encodeURIComponent(trace.forkOf)}`}>{trace.forkOf.slice(0, 12)}</a></span>}
                {trace.tags.length > 0 && (
                  <span class="tags">
                    {trace.tags.map((tag) => (
                      <a key={tag} class="tag" href={`/?tag=${encodeURIComponent(tag)}`}>{tag}</a>
                    ))}
                  </span>
                )}
              </td>
              <td><StatusBadge status={trace.status} />{trace.lossy && <span class="badge badge-bad">lossy</span>}</td>
              <td>{formatTime(trace.startedAt)}</td>
              <td class="num">{formatDuration(trace.totals.durationMs)}</td>
              <td class="num">{formatCount(trace.totals.spans)}</td>
              <td class="num">{formatCount(trace.totals.inputTokens)} / {formatCount(trace.totals.outputTokens)}</td>
              <td class="num">{formatUsd(trace.totals.usd)}</td>
              <td>{trace.sessionId ? <a href={`/?session=${encodeURIComponent(trace.sessionId)}`}>{trace.sessionId}</a> : <span class="muted">—</span>}</td>
              <td><GitSource trace={trace} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * Where a pushed cassette came from: repository, branch, commit and test.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * renderToString(<GitSource trace={{ source: 'sdk', git: null }} />) // → '<span class="muted">SDK</span>'
 * const git = { repository: 'https://github.com/acme/agent', branch: 'main', commit: '3f2a9c1d7e', testName: 'books a flight' }
 * renderToString(<GitSource trace={{ source: 'cassette', git }} />)
 * // → '<span class="git"><span>github.com/acme/agent</span><span> · main</span><code> @3f2a9c1d</code><span class="muted small"> · books a flight</span></span>'
 */
export function GitSource({ trace }: { trace: Pick<TraceSummary, 'source' | 'git'> }) {
  if (trace.source !== 'cassette') return <span class="muted">SDK</span>
  const git = trace.git
  if (!git) return <span>cassette</span>
  return (
    <span class="git">
      {git.repository && <span>{git.repository.replace(/^https?:\/\/(www\.)?/, '')}</span>}
      {git.branch && <span> · {git.branch}</span>}
      {git.commit && <code> @{git.commit.slice(0, 8)}</code>}
      {git.testName && <span class="muted small"> · {git.testFile ? `${git.testFile} › ` : ''}{git.testName}</span>}
    </span>
  )
}
