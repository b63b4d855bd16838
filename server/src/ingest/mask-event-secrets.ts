import { maskSecrets } from '@retrace/cassettes'
import type { RejectedEvent, WireEvent } from '@retrace/protocol'

/** What `maskEventSecrets` made of a batch's valid events. */
export interface MaskedEvents {
  /** The events to store, secret-shaped values replaced by `[REDACTED:<kind>]` (the same objects when none held any). */
  events: WireEvent[]
  /** Per stored event (same order), how many values were masked in it. */
  secrets: number[]
  /** Events refused because an id holds a secret: an id cannot be masked without merging distinct events. */
  rejected: RejectedEvent[]
}

// The ids the store keys events and traces by are scanned apart from the content: masking
// one would make two different ids equal (one event a duplicate of the other), so an event
// with a secret in an id is refused instead. The SDK's ids (`randomUUID()`,
// `<traceId>:start`…) are not scanned: the rules never flag a bare UUID, and the per-string
// checks cost more on them than on the rest of a span.
const SDK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?::(?:start|end|lossy))?$/

type Body = Record<string, unknown>
type Ids = Record<string, string | undefined>

/** An event's body without its ids (what is scanned and masked), and the ids (scanned apart). */
function splitIds(event: WireEvent): { key: 'span' | 'trace' | 'lossy'; content: Body; ids: Ids } {
  switch (event.type) {
    case 'span': {
      const { id, traceId, parentId, ...content } = event.span
      return { key: 'span', content, ids: { id, traceId, parentId } }
    }
    case 'trace.start': {
      const { id, forkOf, forkId, projectId, ...content } = event.trace
      return { key: 'trace', content, ids: { id, forkOf, forkId, projectId } }
    }
    case 'trace.end': {
      const { id, ...content } = event.trace
      return { key: 'trace', content, ids: { id } }
    }
    case 'trace.lossy': {
      const { traceId, ...content } = event.lossy
      return { key: 'lossy', content, ids: { traceId } }
    }
  }
}

/**
 * Runs the shared secret rules of `@retrace/cassettes` (`maskSecrets`, the same rules as
 * cassette redaction and the SDK) over validated events before they are stored: whatever
 * an older or misconfigured SDK, or a raw client, let through (inputs, outputs, errors,
 * metadata, steps and their messages, names, tags) is masked. One walk and one secretlint
 * pass per batch for the content, one for ids that are not the SDK's; the findings name
 * JSON paths and rules, never the secret.
 *
 * @example
 * const leaked = 'sk-proj-' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4'
 * const span = { id: '5b1f0a52-8f0e-4c8e-9d61-1f2b3c4d5e6f', traceId: '0c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', kind: 'tool' as const, name: 'config', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:00.010Z', durationMs: 10, status: 'ok' as const, output: { openai: leaked } }
 * const { events, secrets, rejected } = maskEventSecrets([{ type: 'span', id: span.id, span }])
 * secrets // → [1]
 * rejected // → []
 * JSON.stringify(events).includes(leaked) // → false
 */
export function maskEventSecrets(valid: readonly WireEvent[]): MaskedEvents {
  const split = valid.map(splitIds)
  const ids: Array<{ event: number; field: string; value: string }> = []
  valid.forEach((event, index) => {
    if (!SDK_ID.test(event.id)) ids.push({ event: index, field: 'id', value: event.id })
    const { key, ids: own } = split[index]!
    for (const field in own) {
      const value = own[field]
      if (value !== undefined && !SDK_ID.test(value)) ids.push({ event: index, field: `${key}.${field}`, value })
    }
  })
  const refused = new Map<number, string[]>()
  if (ids.length) {
    for (const finding of maskSecrets(ids.map((id) => id.value)).findings) {
      const id = ids[Number(/^\$\[(\d+)\]/.exec(finding.path)?.[1])]
      if (id) refused.set(id.event, [...(refused.get(id.event) ?? []), id.field])
    }
  }
  const { value, findings } = maskSecrets(split.map((part) => part.content))
  if (findings.length === 0 && refused.size === 0) return { events: [...valid], secrets: valid.map(() => 0), rejected: [] }
  const masked = value as Body[]
  const perEvent = new Map<number, number>()
  for (const finding of findings) {
    const index = Number(/^\$\[(\d+)\]/.exec(finding.path)?.[1])
    perEvent.set(index, (perEvent.get(index) ?? 0) + 1)
  }
  const events: WireEvent[] = []
  const secrets: number[] = []
  const rejected: RejectedEvent[] = []
  valid.forEach((event, index) => {
    const fields = refused.get(index)
    if (fields) {
      // The refusal must not echo the secret back: the id is masked in it.
      const shown = maskSecrets(event.id).value as string
      rejected.push({ id: shown, message: `${[...new Set(fields)].sort(byIdOrder).join(', ')}: a secret-shaped value; ids must not carry secrets, so nothing of this event was stored.` })
      return
    }
    const count = perEvent.get(index) ?? 0
    // Ids are kept as sent: only the content was masked.
    const { key, ids: own } = split[index]!
    events.push(count ? ({ ...event, [key]: { ...withoutUndefined(own), ...masked[index] } } as WireEvent) : event)
    secrets.push(count)
  })
  return { events, secrets, rejected }
}

const withoutUndefined = (ids: Ids): Record<string, string> => Object.fromEntries(Object.entries(ids).filter((entry): entry is [string, string] => entry[1] !== undefined))

/** `id` first, then the body's ids: the order a reader meets them in the event. */
const byIdOrder = (a: string, b: string) => (a === 'id' ? -1 : b === 'id' ? 1 : a < b ? -1 : a > b ? 1 : 0)
