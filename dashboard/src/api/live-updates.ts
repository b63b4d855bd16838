/** What the live stream tells the page: traces of the project changed (ingest, forks, sweeps). */
export type LiveListener = (traceIds: readonly string[]) => void

const listeners = new Set<LiveListener>()
let source: EventSource | undefined

/**
 * Opens the server's live stream (`GET /api/v1/live`, server-sent events, signed in by the
 * cookie). The browser reconnects by itself after a drop; every server process sharing the
 * store feeds it.
 *
 * @example
 * startLiveUpdates()
 */
export function startLiveUpdates(): void {
  if (source || typeof EventSource === 'undefined') return
  source = new EventSource('/api/v1/live')
  source.addEventListener('traces', (event) => {
    let traceIds: string[] = []
    try {
      traceIds = (JSON.parse((event as MessageEvent<string>).data) as { traceIds: string[] }).traceIds ?? []
    } catch {
      return
    }
    for (const listener of [...listeners]) listener(traceIds)
  })
}

/**
 * Closes the stream (sign-out). Does nothing when none is open.
 *
 * @example
 * startLiveUpdates()
 * stopLiveUpdates()
 */
export function stopLiveUpdates(): void {
  source?.close()
  source = undefined
}

/**
 * Calls `listener` with the changed trace ids; returns the unsubscribe function.
 *
 * @example
 * // In a view: useEffect(() => onLiveTraces((ids) => ids.includes(traceId) && reload()), [traceId])
 * const unsubscribe = onLiveTraces((ids) => console.log(ids))
 * unsubscribe() // → true
 * unsubscribe() // → false
 */
export function onLiveTraces(listener: LiveListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
