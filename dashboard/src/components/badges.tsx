/**
 * A run or span status, as a word and a colour (never colour alone).
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * renderToString(<StatusBadge status="failed" />) // → '<span class="badge badge-bad">failed</span>'
 * renderToString(<StatusBadge status="completed" />) // → '<span class="badge badge-good">completed</span>'
 * renderToString(<StatusBadge status="no_worker" />) // → '<span class="badge badge-bad">no worker</span>'
 */
export function StatusBadge({ status }: { status: string }) {
  const tone = status === 'failed' || status === 'error' || status === 'no_worker' || status === 'diverged' ? 'bad' : status === 'completed' || status === 'ok' || status === 'identical' || status === 'equivalent' ? 'good' : 'neutral'
  return <span class={`badge badge-${tone}`}>{status.replace('_', ' ')}</span>
}

/**
 * A span kind, as a short label.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * renderToString(<KindBadge kind="llm" />) // → '<span class="kind kind-llm">llm</span>'
 */
export function KindBadge({ kind }: { kind: string }) {
  return <span class={`kind kind-${kind}`}>{kind}</span>
}
