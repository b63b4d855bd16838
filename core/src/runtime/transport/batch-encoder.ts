import { toJsonValue } from '@retrace/cassettes'
import type { WireEvent } from '@retrace/protocol'

/** A batch serialised once: the same bytes are journaled, sent over the WebSocket and posted over HTTP. */
export interface EncodedBatch {
  id: string
  /** `{"type":"batch","batchId":…,"events":[…]}` followed by `\n` (a JSON line). */
  frame: Buffer
  eventCount: number
  /** The events it was made from (the caller drops this reference once the batch is safe on disk). */
  events: WireEvent[]
}

/** How to cut events into batches. */
export interface EncodeOptions {
  /** Most events in one batch. */
  maxEvents: number
  /** Most bytes in one frame (a single larger event still gets a batch of its own). */
  maxBytes: number
  /** A new unique batch id. */
  nextId: () => string
  /** Traces already known to be lossy: their `trace.end` is sent with `lossy: true`. */
  isLossy: (traceId: string) => boolean
  /** An event that could not be serialised even after `toJsonValue`: it is lost. */
  onUnserializable: (event: WireEvent, error: unknown) => void
}

/**
 * Serialises events into batch frames, each at most `maxEvents` events and `maxBytes`
 * bytes. Each event is serialised on its own so that one bad value costs one event, not the
 * batch: a value JSON cannot take (BigInt, a cycle) is converted with `toJsonValue` first.
 *
 * @example
 * const events = Array.from({ length: 5 }, (_, n) => ({ type: 'trace.start' as const, id: `t${n}:start`, trace: { id: `t${n}`, name: 'agent', startedAt: new Date(0).toISOString() } }))
 * let batch = 0
 * const batches = encodeBatches(events, { maxEvents: 2, maxBytes: 1 << 20, nextId: () => `b${++batch}`, isLossy: () => false, onUnserializable: () => {} })
 * batches.map((item) => item.eventCount) // → [2, 2, 1]
 * JSON.parse(batches[0]!.frame.toString()).batchId // → 'b1'
 */
export function encodeBatches(events: readonly WireEvent[], options: EncodeOptions): EncodedBatch[] {
  const batches: EncodedBatch[] = []
  let parts: string[] = []
  let members: WireEvent[] = []
  let bytes = 0
  const close = () => {
    if (parts.length === 0) return
    const id = options.nextId()
    const frame = Buffer.from(`{"type":"batch","batchId":${JSON.stringify(id)},"events":[${parts.join(',')}]}\n`)
    batches.push({ id, frame, eventCount: parts.length, events: members })
    parts = []
    members = []
    bytes = 0
  }
  for (const original of events) {
    const event = withLossyFlag(original, options.isLossy)
    const json = serialize(event, options.onUnserializable)
    if (json === undefined) continue
    const size = Buffer.byteLength(json) + 1
    if (parts.length > 0 && (parts.length >= options.maxEvents || bytes + size > options.maxBytes)) close()
    parts.push(json)
    members.push(event)
    bytes += size
  }
  close()
  return batches
}

/**
 * The trace an event belongs to.
 *
 * @example
 * traceIdOf({ type: 'span', id: 's1', span: { id: 's1', traceId: 't1', kind: 'span', name: 'plan', startedAt: '', endedAt: '', durationMs: 0, status: 'ok' } }) // → 't1'
 * traceIdOf({ type: 'trace.lossy', id: 't2:lossy', lossy: { traceId: 't2', droppedEvents: 3 } }) // → 't2'
 */
export function traceIdOf(event: WireEvent): string | undefined {
  try {
    switch (event.type) {
      case 'span':
        return event.span?.traceId
      case 'trace.start':
      case 'trace.end':
        return event.trace?.id
      case 'trace.lossy':
        return event.lossy?.traceId
      default:
        return undefined
    }
  } catch {
    return undefined // A hostile value (a throwing getter): the trace cannot be named.
  }
}

function withLossyFlag(event: WireEvent, isLossy: (traceId: string) => boolean): WireEvent {
  try {
    if (event.type !== 'trace.end' || event.trace?.lossy || !isLossy(event.trace.id)) return event
    return { ...event, trace: { ...event.trace, lossy: true } }
  } catch {
    return event // Serialisation will report it.
  }
}

function serialize(event: WireEvent, onUnserializable: EncodeOptions['onUnserializable']): string | undefined {
  try {
    const json = JSON.stringify(event) as string | undefined
    if (typeof json === 'string' && json.startsWith('{')) return json
  } catch {
    // Fall through to the lossless-as-possible conversion.
  }
  try {
    const json = JSON.stringify(toJsonValue(event)) as string | undefined
    if (typeof json === 'string' && json.startsWith('{')) return json
    onUnserializable(event, new TypeError('The event is not a JSON object'))
  } catch (error) {
    onUnserializable(event, error)
  }
  return undefined
}
