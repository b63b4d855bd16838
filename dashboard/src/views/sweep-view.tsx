import { useEffect, useState } from 'preact/hooks'
import { api, errorText } from '../api/api-client.ts'
import { onLiveTraces } from '../api/live-updates.ts'
import { StatusBadge } from '../components/badges.tsx'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import { formatDuration, formatUsd, prettyJson } from '../model/format.ts'
import { readSweep, TERMINAL_FORK_STATUSES, type SweepInfo, type VariantInfo } from '../model/fork-shapes.ts'

const POLL_MS = 1000

/**
 * Polls `path` until `done(answer)`, also re-reading it at once whenever traces change (a
 * variant's fork streaming in). Returns the latest answer and the last error.
 *
 * @example
 * const { value } = usePolled(`/api/v1/forks/sweep/${id}`, readSweep, (sweep) => sweep.status === 'completed')
 */
export function usePolled<T>(path: string, read: (body: unknown) => T, done: (value: T) => boolean): { value: T | undefined; failure: string | undefined; reload(): void } {
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
        const next = read(await api(path))
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

/** A sweep: progress (never more than its concurrency in flight), then a results table. */
export function SweepView({ sweepId }: { sweepId: string }) {
  useTitle('Sweep')
  const path = `/api/v1/forks/sweep/${encodeURIComponent(sweepId)}`
  const { value: sweep, failure, reload } = usePolled(path, readSweep, (value) => TERMINAL_FORK_STATUSES.has(value.status))
  const [cancelFailure, setCancelFailure] = useState<string | undefined>()
  if (failure && !sweep) return <Notice tone="error">{failure}</Notice>
  if (!sweep) return <p class="muted" aria-busy="true">Loading the sweep…</p>
  const cancel = async () => {
    try {
      await api(`${path}/cancel`, { method: 'POST', body: {} })
      reload()
    } catch (error) {
      setCancelFailure(errorText(error))
    }
  }
  return (
    <>
      <div class="page-head">
        <h1>Sweep <code>{sweep.id}</code></h1>
        <div class="head-actions">
          <StatusBadge status={sweep.status} />
          {!TERMINAL_FORK_STATUSES.has(sweep.status) && <button type="button" class="button subtle" onClick={() => void cancel()}>Cancel</button>}
        </div>
      </div>
      <SweepProgress sweep={sweep} />
      {cancelFailure && <Notice tone="error">{cancelFailure}</Notice>}
      {failure && <Notice tone="error">{failure}</Notice>}
      <VariantTable variants={sweep.variants} />
    </>
  )
}

/** Done / total, in flight and failed, as a progress bar and words. */
export function SweepProgress({ sweep }: { sweep: Pick<SweepInfo, 'total' | 'completed' | 'failed' | 'running' | 'concurrency'> }) {
  return (
    <div class="progress-block">
      <label for="sweep-progress">
        {sweep.completed} of {sweep.total} variants done · {sweep.running} running{sweep.concurrency ? ` (at most ${sweep.concurrency})` : ''} · {sweep.failed} failed
      </label>
      <progress id="sweep-progress" max={Math.max(1, sweep.total)} value={sweep.completed + sweep.failed} />
    </div>
  )
}

/** Each variant: its input, status, divergence from the original, cost, latency, and its fork. */
export function VariantTable({ variants, showFlip }: { variants: readonly VariantInfo[]; showFlip?: boolean }) {
  if (!variants.length) return <p class="muted">No variants yet.</p>
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
            {showFlip && <th scope="col">Outcome</th>}
            <th scope="col" class="num">Cost</th>
            <th scope="col" class="num">Latency</th>
            <th scope="col">Fork</th>
          </tr>
        </thead>
        <tbody>
          {variants.map((variant) => (
            <tr key={variant.index}>
              <th scope="row">{variant.label}</th>
              <td class="clip">{variant.input === undefined ? '' : prettyJson(variant.input)}</td>
              <td><StatusBadge status={variant.status} />{variant.message && <div class="small muted">{variant.message}</div>}</td>
              <td class="num">{variant.score === undefined ? '—' : variant.score.toFixed(3)}</td>
              <td>{variant.verdict ? <StatusBadge status={variant.verdict} /> : '—'}</td>
              {showFlip && <td>{variant.flipped === undefined ? '—' : variant.flipped ? 'flipped' : 'same'}</td>}
              <td class="num">{formatUsd(variant.usd)}</td>
              <td class="num">{formatDuration(variant.latencyMs)}</td>
              <td>{variant.forkId ? <a href={`/forks/${encodeURIComponent(variant.forkId)}`}>diff</a> : variant.forkTraceId ? <a href={`/traces/${encodeURIComponent(variant.forkTraceId)}`}>trace</a> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
