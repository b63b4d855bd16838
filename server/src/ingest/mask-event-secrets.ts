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

// The fields the store keys events and traces by. Masking one would make two different ids
// equal (and one event a duplicate of the other), so such an event is refused instead.
const ID_FIELDS = new Set(['id', 'span.id', 'span.traceId', 'span.parentId', 'trace.id', 'trace.forkOf', 'trace.forkId', 'trace.projectId', 'lossy.traceId'])

/**
 * Runs the shared secret rules of `@retrace/cassettes` (`maskSecrets`, the same rules as
 * cassette redaction and the SDK) over validated events before they are stored: whatever
 * an older or misconfigured SDK, or a raw client, let through (inputs, outputs, errors,
 * metadata, steps and their messages, names, tags) is masked. One walk and one secretlint
 * pass per batch; the findings name JSON paths and rules, never the secret.
 *
 * @example
 * const { events, secrets, rejected } = maskEventSecrets(valid)
 * // secrets[i]: values masked in events[i]
 */
export function maskEventSecrets(valid: readonly WireEvent[]): MaskedEvents {
  const { value, findings } = maskSecrets(valid)
  if (findings.length === 0) return { events: [...valid], secrets: valid.map(() => 0), rejected: [] }
  const masked = value as unknown as WireEvent[]
  const perEvent = new Map<number, number>()
  const refused = new Map<number, string[]>()
  for (const finding of findings) {
    const match = /^\$\[(\d+)\]\.?(.*)$/.exec(finding.path)
    if (!match) continue
    const index = Number(match[1])
    const field = match[2]!
    perEvent.set(index, (perEvent.get(index) ?? 0) + 1)
    if (ID_FIELDS.has(field)) refused.set(index, [...(refused.get(index) ?? []), field])
  }
  const events: WireEvent[] = []
  const secrets: number[] = []
  const rejected: RejectedEvent[] = []
  masked.forEach((event, index) => {
    const fields = refused.get(index)
    // The id as masked: the refusal must not echo the secret back.
    if (fields) rejected.push({ id: event.id, message: `${fields.join(', ')}: a secret-shaped value; ids must not carry secrets, so nothing of this event was stored.` })
    else {
      events.push(event)
      secrets.push(perEvent.get(index) ?? 0)
    }
  })
  return { events, secrets, rejected }
}
