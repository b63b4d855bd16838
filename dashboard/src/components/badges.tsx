/**
 * A run or span status, as a word and a colour (never colour alone).
 *
 * @example
 * <StatusBadge status="failed" />
 */
export function StatusBadge({ status }: { status: string }) {
  const tone = status === 'failed' || status === 'error' || status === 'no_worker' || status === 'diverged' ? 'bad' : status === 'completed' || status === 'ok' || status === 'identical' || status === 'equivalent' ? 'good' : 'neutral'
  return <span class={`badge badge-${tone}`}>{status.replace('_', ' ')}</span>
}

/** A span kind, as a short label. */
export function KindBadge({ kind }: { kind: string }) {
  return <span class={`kind kind-${kind}`}>{kind}</span>
}
