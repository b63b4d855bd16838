import { WireEventSchema, type RejectedEvent, type WireEvent } from '@retrace/protocol'

/** Most events one batch may hold (the SDK sends at most 1,000, PROTOCOL.md §4). */
export const MAX_BATCH_EVENTS = 10_000
/** Longest id accepted (the protocol asks for at least 256 characters). */
export const MAX_ID_LENGTH = 1024
/** Deepest JSON nesting kept (storing and reading deeper values would exhaust the stack). */
export const MAX_JSON_DEPTH = 200

/**
 * Whether a parsed JSON value nests deeper than `limit` arrays/objects. Iterative, so a
 * hostile 100,000-level value cannot exhaust the stack while being checked.
 *
 * @example
 * nestsDeeperThan([[[1]]], 2) // → true
 * nestsDeeperThan([[1]], 2) // → false
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (depth >= limit) return true
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return false
}

/** A frame or body read as a batch: its events still unvalidated. */
export type ParsedBatch = { ok: true; batchId: string; events: unknown[] } | { ok: false; batchId: string | undefined; message: string }

/**
 * Reads a WebSocket frame or `POST /v1/events` body as a batch (JSON text, trailing
 * whitespace allowed). Only the envelope is checked here; events are validated one by one.
 *
 * @example
 * parseBatch('{"type":"batch","batchId":"b1","events":[]}\n') // → { ok: true, batchId: 'b1', events: [] }
 * parseBatch('{"type":"batch"').ok // → false
 */
export function parseBatch(text: string): ParsedBatch {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    return { ok: false, batchId: batchIdIn(text), message: `The frame is not JSON (${(error as Error).message.slice(0, 120)}).` }
  }
  return batchEnvelope(raw)
}

/**
 * Checks an already-parsed message is a batch envelope.
 *
 * @example
 * batchEnvelope({ type: 'batch', batchId: 'b1', events: [] }) // → { ok: true, batchId: 'b1', events: [] }
 * batchEnvelope({ type: 'register', batchId: 'b1' }).ok // → false
 */
export function batchEnvelope(raw: unknown): ParsedBatch {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, batchId: undefined, message: 'Not an event batch: expected {"type":"batch","batchId":…,"events":[…]}.' }
  const message = raw as { type?: unknown; batchId?: unknown; events?: unknown }
  const batchId = typeof message.batchId === 'string' ? message.batchId : undefined
  if (message.type !== 'batch') return { ok: false, batchId, message: 'Not an event batch: "type" must be "batch".' }
  if (batchId === undefined || batchId.length > MAX_ID_LENGTH) return { ok: false, batchId: undefined, message: `Not an event batch: "batchId" must be a string of at most ${MAX_ID_LENGTH} characters.` }
  if (!Array.isArray(message.events)) return { ok: false, batchId, message: 'Not an event batch: "events" must be an array.' }
  if (message.events.length > MAX_BATCH_EVENTS) return { ok: false, batchId, message: `The batch holds ${message.events.length} events; at most ${MAX_BATCH_EVENTS} are accepted.` }
  return { ok: true, batchId, events: message.events }
}

/**
 * The `batchId` of a frame too large or too broken to parse, found near its start, so the
 * refusal can name the batch (the client then drops it instead of resending it forever).
 *
 * @example
 * // The id of a batch too broken to parse, to answer about it:
 * batchIdIn('{"type":"batch","batchId":"b7","events":[{"type":') // → 'b7'
 */
export function batchIdIn(text: string): string | undefined {
  const match = /"batchId"\s*:\s*"((?:[^"\\]|\\.){0,1024})"/.exec(text.slice(0, 4096))
  if (!match) return undefined
  try {
    return JSON.parse(`"${match[1]}"`) as string
  } catch {
    return undefined
  }
}

/** The project a key writes to, as events may name it (`trace.start.projectId`). */
export interface TargetProject {
  id: string
  name: string
}

/**
 * Validates events one by one against the wire schema plus what the store needs (ids and
 * names without NUL characters, bounded ids, the key's own project): valid events are kept,
 * invalid ones are listed in `rejected` with the reason.
 *
 * @example
 * const start = { type: 'trace.start', id: 't1:start', trace: { id: 't1', name: 'answer', startedAt: '2026-03-01T10:00:00.000Z' } }
 * const { valid, rejected } = validateEvents([start, { type: 'span', id: 's1' }], { id: 'p1', name: 'agents' })
 * valid.map((event) => event.id) // → ['t1:start']
 * rejected.map((event) => event.id) // → ['s1']
 */
export function validateEvents(events: readonly unknown[], project: TargetProject): { valid: WireEvent[]; rejected: RejectedEvent[] } {
  const valid: WireEvent[] = []
  const rejected: RejectedEvent[] = []
  for (const item of events) {
    const rawId = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined
    const id = typeof rawId === 'string' ? rawId : ''
    if (nestsDeeperThan(item, MAX_JSON_DEPTH)) {
      rejected.push({ id: id.slice(0, MAX_ID_LENGTH), message: `The event nests deeper than ${MAX_JSON_DEPTH} levels.` })
      continue
    }
    const parsed = WireEventSchema.safeParse(item)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const path = issue?.path.length ? `${issue.path.join('.')}: ` : ''
      rejected.push({ id: id.slice(0, MAX_ID_LENGTH), message: `${path}${issue?.message ?? 'invalid event'}`.slice(0, 500) })
      continue
    }
    const problem = storageProblem(parsed.data, project)
    if (problem) {
      rejected.push({ id: id.slice(0, MAX_ID_LENGTH), message: problem })
      continue
    }
    valid.push(parsed.data)
  }
  return { valid, rejected }
}

/** What the store cannot keep about an otherwise valid event. */
function storageProblem(event: WireEvent, project: TargetProject): string | undefined {
  const keys: Array<[string, string | undefined]> = [['id', event.id]]
  const texts: Array<[string, string | undefined]> = []
  switch (event.type) {
    case 'trace.start':
      keys.push(['trace.id', event.trace.id], ['trace.forkOf', event.trace.forkOf], ['trace.forkId', event.trace.forkId])
      texts.push(['trace.name', event.trace.name], ['trace.sessionId', event.trace.sessionId], ['trace.startedAt', event.trace.startedAt], ...(event.trace.tags ?? []).map((tag, i): [string, string] => [`trace.tags.${i}`, tag]))
      if (event.trace.projectId !== undefined && event.trace.projectId !== project.id && event.trace.projectId !== project.name) {
        return `trace.projectId: "${event.trace.projectId.slice(0, 100)}" is not the project of this API key (${project.id}); send it with that project's key.`
      }
      break
    case 'trace.end':
      keys.push(['trace.id', event.trace.id])
      texts.push(['trace.endedAt', event.trace.endedAt])
      break
    case 'span':
      keys.push(['span.id', event.span.id], ['span.traceId', event.span.traceId], ['span.parentId', event.span.parentId])
      texts.push(['span.name', event.span.name])
      break
    case 'trace.lossy':
      keys.push(['lossy.traceId', event.lossy.traceId])
      break
  }
  for (const [field, value] of keys) {
    if (value === undefined) continue
    if (value.length === 0 || value.length > MAX_ID_LENGTH) return `${field}: ids must have 1 to ${MAX_ID_LENGTH} characters.`
    if (value.includes('\u0000')) return `${field}: ids must not contain NUL characters.`
  }
  for (const [field, value] of texts) {
    if (value === undefined) continue
    if (value.length > 10_000) return `${field}: at most 10,000 characters.`
    if (value.includes('\u0000')) return `${field}: must not contain NUL characters.`
  }
  return undefined
}
