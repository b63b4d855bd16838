import type { RejectedEvent } from '@retrace/protocol'
import type { KeyRecord, Store } from '../store/store.ts'
import { dayOf } from '../store/sql/ingest-sql.ts'
import type { IngestWriter } from './ingest-writer.ts'
import { maskEventSecrets } from './mask-event-secrets.ts'
import { parseBatch, validateEvents, type ParsedBatch } from './validate-batch.ts'

/** What a batch came to, on either channel. */
export type IngestOutcome =
  | { kind: 'ack'; batchId: string; accepted: number; duplicates: number; rejected: RejectedEvent[] }
  | { kind: 'bad_request'; batchId: string | undefined; message: string }
  | { kind: 'credits_exhausted'; retryAfterSeconds: number; message: string }

/**
 * Takes one batch (frame text, or an already-parsed envelope) from a client authenticated
 * with `key`: validates each event, applies the project's daily event quota (402), masks
 * secret-shaped values with the shared rules, stores the valid events through the writer
 * and answers once they are committed.
 *
 * @example
 * const outcome = await ingestBatch({ store, writer }, key, frameText)
 * if (outcome.kind === 'ack') socket.send(JSON.stringify({ type: 'ack', ...counts }))
 */
export async function ingestBatch(services: { store: Store; writer: IngestWriter }, key: KeyRecord, input: string | ParsedBatch): Promise<IngestOutcome> {
  const batch = typeof input === 'string' ? parseBatch(input) : input
  if (!batch.ok) return { kind: 'bad_request', batchId: batch.batchId, message: batch.message }
  const project = await services.store.getProject(key.projectId)
  if (!project) return { kind: 'bad_request', batchId: batch.batchId, message: 'The project of this API key no longer exists.' }
  if (project.maxEventsPerDay !== null) {
    const now = Date.now()
    const used = await services.store.usageOn(project.id, dayOf(now))
    if (used.events >= project.maxEventsPerDay) {
      const midnight = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1)
      return { kind: 'credits_exhausted', retryAfterSeconds: Math.ceil((midnight - now) / 1000), message: `Project ${project.id} reached its quota of ${project.maxEventsPerDay} events today (UTC).` }
    }
  }
  const { valid, rejected: invalid } = validateEvents(batch.events, { id: project.id, name: project.name })
  // What slipped past the SDK's own redaction is masked before anything is stored.
  const { events, secrets, rejected: secretIds } = maskEventSecrets(valid)
  const rejected = secretIds.length ? [...invalid, ...secretIds] : invalid
  const counts = events.length ? await services.writer.submit({ accountId: key.accountId, projectId: project.id, events, secrets }) : { accepted: 0, duplicates: 0 }
  return { kind: 'ack', batchId: batch.batchId, accepted: counts.accepted, duplicates: counts.duplicates, rejected }
}
