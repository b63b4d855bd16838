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
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../store/open-store.ts'
 * import { generateApiKey } from '../auth/api-keys.ts'
 * import { authenticate } from '../auth/api-keys.ts'
 * import { IngestWriter } from './ingest-writer.ts'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const exchange = (text: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } } },
 * })
 * const llm = (traceId: string, n: number, text: string) => ({
 *   id: `${traceId}.${n}`, traceId, kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 *   interaction: exchange(text),
 * })
 * // One run as the SDK streams it: its start, its LLM spans, its end.
 * const run = (traceId: string, answers: string[]) => [
 *   { type: 'trace.start' as const, id: `${traceId}:start`, trace: { id: traceId, name: 'weather', startedAt: at(0), input: 'Weather in Paris?' } },
 *   ...answers.map((text, index) => ({ type: 'span' as const, id: `${traceId}.${index + 1}`, span: llm(traceId, index + 1, text) })),
 *   { type: 'trace.end' as const, id: `${traceId}:end`, trace: { id: traceId, endedAt: at(59), status: 'completed' as const, output: answers.at(-1), totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 59_000 } } },
 * ]
 * const writer = new IngestWriter(store)
 * const keyRecord = await authenticate(store, key.secret, 'ingest')
 * const frameText = JSON.stringify({ type: 'batch', batchId: 'b1', events: run('tr_1', ['Sunny, 18 °C.']) })
 * // Then, on the socket: if (outcome.kind === 'ack') socket.send(JSON.stringify({ type: 'ack', ...outcome }))
 * await ingestBatch({ store, writer }, keyRecord, frameText) // → { kind: 'ack', batchId: 'b1', accepted: 3, duplicates: 0, rejected: [] }
 * (await ingestBatch({ store, writer }, keyRecord, '{"type":')).kind // → 'bad_request'
 * await store.close()
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
