import { useEffect, useRef, useState } from 'preact/hooks'
import { api, errorText } from '../api/api-client.ts'
import { FINAL_FORK_STATUSES, type AgentTopology, type Fork, type ForkDiff, type TraceDetail } from '../api/api-types.ts'
import { onLiveTraces } from '../api/live-updates.ts'
import { StatusBadge } from '../components/badges.tsx'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import type { Cassette } from '../model/cassette-export.ts'
import { DiffPanel } from './diff-panel.tsx'
import { TraceWorkspace } from './trace-workspace.tsx'

const STAGES = ['created', 'queued', 'running', 'completed']
const POLL_MS = 1000

/**
 * A fork as it runs: its status, its trace streaming in live (the replay follows the newest
 * step), and the diff against the original, opened when the fork ends.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // The app shows it at /forks/:forkId; it polls the fork once mounted and says so until the first answer:
 * renderToString(<ForkView forkId="fk_1" />) // → '<p class="muted" aria-busy="true">Loading the fork…</p>'
 */
export function ForkView({ forkId }: { forkId: string }) {
  useTitle('Fork')
  const [fork, setFork] = useState<Fork | undefined>()
  const [trace, setTrace] = useState<TraceDetail | undefined>()
  const [diff, setDiff] = useState<ForkDiff | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  const diffShown = useRef(false)
  const forkPath = `/api/v1/forks/${encodeURIComponent(forkId)}`

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let latest: Fork | undefined
    const loadTrace = (traceId: string) => api<TraceDetail>(`/api/v1/traces/${encodeURIComponent(traceId)}`).then((detail) => !stopped && setTrace(detail), () => {})
    const poll = async () => {
      try {
        latest = await api<Fork>(forkPath)
        if (stopped) return
        setFork(latest)
        if (latest.fork_trace_id) await loadTrace(latest.fork_trace_id)
        if (FINAL_FORK_STATUSES.has(latest.status)) {
          if (latest.fork_trace_id && (latest.status === 'completed' || latest.status === 'failed')) setDiff(await api<ForkDiff>(`${forkPath}/diff`))
          return
        }
      } catch (error) {
        if (!stopped) setFailure(errorText(error))
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS)
    }
    void poll()
    // The fork's spans arrive over the live stream as the agent runs; its status follows.
    const stop = onLiveTraces((ids) => {
      if (latest?.fork_trace_id && ids.includes(latest.fork_trace_id)) void loadTrace(latest.fork_trace_id)
      else if (latest && !latest.fork_trace_id) {
        clearTimeout(timer)
        void poll()
      }
    })
    return () => {
      stopped = true
      clearTimeout(timer)
      stop()
    }
  }, [forkId])

  // When the diff opens, the reader is taken to it.
  useEffect(() => {
    if (!diff || diffShown.current) return
    diffShown.current = true
    requestAnimationFrame(() => (document.getElementById('diff-title') as HTMLElement | null)?.focus())
  }, [diff])

  if (failure && !fork) return <Notice tone="error">{failure}</Notice>
  if (!fork) return <p class="muted" aria-busy="true">Loading the fork…</p>
  const stage = STAGES.indexOf(fork.status)
  const running = !FINAL_FORK_STATUSES.has(fork.status)
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Fork <code>{fork.id}</code>{fork.label ? ` · ${fork.label}` : ''}</h1>
          <p class="muted small">
            of <a href={`/traces/${encodeURIComponent(fork.trace_id)}?step=${fork.fork_point_step}`}>{fork.trace_id}</a> from step {fork.fork_point_step} · function <code>{fork.function}</code>
            {fork.sweep_id && <> · part of <a href={`/sweeps/${encodeURIComponent(fork.sweep_id)}`}>sweep {fork.sweep_id}</a></>}
          </p>
        </div>
        <StatusBadge status={fork.status} />
      </div>
      <ol class="stages" aria-label="Fork progress">
        {STAGES.map((name, index) => (
          <li key={name} class={index < stage ? 'done' : index === stage ? 'current' : ''} aria-current={index === stage ? 'step' : undefined}>{name}</li>
        ))}
      </ol>
      {fork.message && <Notice tone={fork.status === 'failed' || fork.status === 'no_worker' ? 'error' : 'info'}>{fork.message}</Notice>}
      {failure && <Notice tone="error">{failure}</Notice>}
      {diff && <DiffPanel diff={diff} />}
      {trace ? (
        <section aria-label="The fork’s trace" class="fork-trace">
          <TraceWorkspace
            trace={trace.trace}
            spans={trace.spans}
            tab="timeline"
            tabHref={(tab) => `/traces/${encodeURIComponent(trace.trace.id)}${tab === 'agents' ? '/agents' : ''}`}
            follow={running}
            initialStep={Number.MAX_SAFE_INTEGER}
            loadTopology={() => api<AgentTopology>(`/api/v1/traces/${encodeURIComponent(trace.trace.id)}/topology`)}
            loadCassette={() => api<Cassette>(`/api/v1/traces/${encodeURIComponent(trace.trace.id)}/cassette`)}
          />
        </section>
      ) : (
        running && <p class="muted">Waiting for the fork’s first events…</p>
      )}
    </>
  )
}
