import { useEffect, useState } from 'preact/hooks'
import { api, errorText } from '../api/api-client.ts'
import type { Sweep, SweepProgress as Progress, SweepVariant } from '../api/api-types.ts'
import { onLiveTraces } from '../api/live-updates.ts'
import { StatusBadge } from '../components/badges.tsx'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import { formatDuration, formatUsd, prettyJson } from '../model/format.ts'

const POLL_MS = 1000

/**
 * Reads `path` until `done(answer)`: every second, and at once whenever traces change (a
 * variant's fork streaming in). Returns the latest answer, the last error and a reload.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import type { Sweep } from '../api/api-types.ts'
 * function SweepStatus({ id }: { id: string }) {
 *   const { value, failure } = usePolled<Sweep>(`/api/v1/forks/sweep/${id}`, (sweep) => sweep.status !== 'running')
 *   if (failure) return <p role="alert">{failure}</p>
 *   return <p>{value ? value.status : 'Loading…'}</p>
 * }
 * // The first render, before the first answer (polling starts once the component is mounted):
 * renderToString(<SweepStatus id="sw_1" />) // → '<p>Loading…</p>'
 */
export function usePolled<T>(path: string, done: (value: T) => boolean): { value: T | undefined; failure: string | undefined; reload(): void } {
  const [value, setValue] = useState<T | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let finished = false
    const load = async () => {
      clearTimeout(timer)
      try {
        const next = await api<T>(path)
        if (stopped) return
        setValue(next)
        setFailure(undefined)
        finished = done(next)
      } catch (error) {
        if (!stopped) setFailure(errorText(error))
      }
      if (!stopped && !finished) timer = setTimeout(() => void load(), POLL_MS)
    }
    void load()
    const stop = onLiveTraces(() => {
      if (!finished) void load()
    })
    return () => {
      stopped = true
      clearTimeout(timer)
      stop()
    }
  }, [path, tick])
  return { value, failure, reload: () => setTick(tick + 1) }
}

/**
 * A sweep: progress (never more than its concurrency in flight), then a results table.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // The app shows it at /sweeps/:sweepId; it polls the sweep once mounted and says so until the first answer:
 * renderToString(<SweepView sweepId="sw_1" />) // → '<p class="muted" aria-busy="true">Loading the sweep…</p>'
 */
export function SweepView({ sweepId }: { sweepId: string }) {
  useTitle('Sweep')
  const path = `/api/v1/forks/sweep/${encodeURIComponent(sweepId)}`
  const { value: sweep, failure, reload } = usePolled<Sweep>(path, (value) => value.status !== 'running')
  const [cancelFailure, setCancelFailure] = useState<string | undefined>()
  if (failure && !sweep) return <Notice tone="error">{failure}</Notice>
  if (!sweep) return <p class="muted" aria-busy="true">Loading the sweep…</p>
  const cancel = async () => {
    try {
      await api(`${path}/cancel`, { method: 'POST' })
      reload()
    } catch (error) {
      setCancelFailure(errorText(error))
    }
  }
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Sweep <code>{sweep.id}</code></h1>
          <p class="muted small">of <a href={`/traces/${encodeURIComponent(sweep.trace_id)}`}>{sweep.trace_id}</a> at span <code>{sweep.fork_point_span_id}</code></p>
        </div>
        <div class="head-actions">
          <StatusBadge status={sweep.status} />
          {sweep.status === 'running' && <button type="button" class="button subtle" onClick={() => void cancel()}>Cancel</button>}
        </div>
      </div>
      <SweepProgress progress={sweep.progress} concurrency={sweep.concurrency} />
      {cancelFailure && <Notice tone="error">{cancelFailure}</Notice>}
      {failure && <Notice tone="error">{failure}</Notice>}
      <VariantTable variants={sweep.variants} />
    </>
  )
}

/**
 * Done / total, in flight and failed, as a progress bar and in words.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * const progress = { total: 4, done: 1, queued: 1, running: 2, completed: 1, failed: 0, no_worker: 0, cancelled: 0 }
 * renderToString(<SweepProgress progress={progress} concurrency={2} />)
 * // → '<div class="progress-block" data-testid="progress"><label for="sweep-progress">1 of 4 variants done · 2 running (at most 2) · 1 queued · 0 failed</label><progress id="sweep-progress" max="4" value="1"></progress></div>'
 */
export function SweepProgress({ progress, concurrency }: { progress: Progress; concurrency?: number }) {
  return (
    <div class="progress-block" data-testid="progress">
      <label for="sweep-progress">
        {progress.done} of {progress.total} variants done · {progress.running} running{concurrency ? ` (at most ${concurrency})` : ''} · {progress.queued} queued · {progress.failed + progress.no_worker} failed{progress.cancelled ? ` · ${progress.cancelled} cancelled` : ''}
      </label>
      <progress id="sweep-progress" max={Math.max(1, progress.total)} value={progress.done} />
    </div>
  )
}

/** Each variant: its input, status, divergence from the original, cost, duration, and its fork. */
function VariantTable({ variants }: { variants: readonly SweepVariant[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Variants">
      <table class="table" data-testid="variants">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Input</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">Divergence</th>
            <th scope="col">Verdict</th>
            <th scope="col" class="num">First divergent step</th>
            <th scope="col" class="num">Cost</th>
            <th scope="col" class="num">Duration</th>
            <th scope="col">Fork</th>
          </tr>
        </thead>
        <tbody>
          {variants.map((variant) => (
            <tr key={variant.fork_id} data-status={variant.status}>
              <th scope="row">{variant.label ?? `variant ${variant.index + 1}`}</th>
              <td class="clip">{prettyJson(variant.modified_input)}</td>
              <td><StatusBadge status={variant.status} />{variant.message && <div class="small muted">{variant.message}</div>}</td>
              <td class="num">{variant.result ? variant.result.divergence_score.toFixed(3) : '—'}</td>
              <td>{variant.result ? <StatusBadge status={variant.result.verdict} /> : '—'}</td>
              <td class="num">{variant.result?.first_divergent_step ?? '—'}</td>
              <td class="num">{formatUsd(variant.result?.cost_usd)}</td>
              <td class="num">{formatDuration(variant.result?.duration_ms)}</td>
              <td><a href={`/forks/${encodeURIComponent(variant.fork_id)}`}>fork and diff</a></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
