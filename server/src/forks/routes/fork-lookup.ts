import type { WireSpan } from '@retrace/protocol'
import type { ServerServices } from '../../api/server-services.ts'
import { orNotFound } from '../../api/routes/trace-routes.ts'
import { ApiError } from '../../errors/server-errors.ts'
import type { TraceWithSpans } from '../../store/store.ts'
import { FORKABLE_KINDS, forkPointOf, type ForkPoint } from '../cassette/fork-point.ts'
import type { ForkRecord } from '../../store/fork-records.ts'
import type { NewFork } from '../../store/fork-store.ts'

/**
 * The fork with this id in the key's project, or 404.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { resolveServerConfig } from '../../config/server-config.ts'
 * import { ConnectionRegistry } from '../../ingest/connection-registry.ts'
 * import { IngestWriter } from '../../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../../ingest/rate-limiter.ts'
 * import { createLogger } from '../../logging/logger.ts'
 * import { openStore } from '../../store/open-store.ts'
 * import { ApiError } from '../../errors/server-errors.ts'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
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
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const created = await store.forks.createFork({ projectId: project.id, traceId: 'tr_1', spanId: 'tr_1.2', forkPointStep: 2, forkPointToolCall: null, functionName: 'weather', modifiedInput: 'Oslo?' })
 * (await forkOrNotFound(services, project.id, created.id)).id === created.id // → true
 * await forkOrNotFound(services, project.id, 'fk_9').catch((error: ApiError) => error.status) // → 404
 * services.connections.dispose()
 * await store.close()
 */
export async function forkOrNotFound(services: ServerServices, projectId: string, forkId: string): Promise<ForkRecord> {
  return orNotFound(await services.store.forks.getFork(projectId, forkId), 'fork', forkId)
}

/** A trace, the span a fork starts at, and the step that span maps to. */
export interface ResolvedForkPoint {
  found: TraceWithSpans
  span: WireSpan
  point: ForkPoint
}

/**
 * Finds the trace and span of a fork point and maps the span to its step (PROTOCOL.md §8):
 * 404 for an unknown trace or a span not in it.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { resolveServerConfig } from '../../config/server-config.ts'
 * import { ConnectionRegistry } from '../../ingest/connection-registry.ts'
 * import { IngestWriter } from '../../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../../ingest/rate-limiter.ts'
 * import { createLogger } from '../../logging/logger.ts'
 * import { openStore } from '../../store/open-store.ts'
 * import { ApiError } from '../../errors/server-errors.ts'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
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
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const { point, span } = await resolveForkPoint(services, project.id, 'tr_1', 'tr_1.2')
 * ;[point, span.id] // → [{ step: 2, toolCall: null }, 'tr_1.2']
 * await resolveForkPoint(services, project.id, 'tr_1', 'sp_9').catch((error: ApiError) => error.status) // → 404
 * services.connections.dispose()
 * await store.close()
 */
export async function resolveForkPoint(services: ServerServices, projectId: string, traceId: string, spanId: string): Promise<ResolvedForkPoint> {
  const found = orNotFound(await services.store.getTrace(projectId, traceId), 'trace', traceId)
  const span = found.spans.find((candidate) => candidate.id === spanId)
  if (!span) throw new ApiError(404, 'not_found', `No span ${spanId.slice(0, 200)} in trace ${traceId.slice(0, 200)}; fork_point_span_id names one of its spans (GET /api/v1/traces/${traceId.slice(0, 200)}).`)
  if (!FORKABLE_KINDS.has(span.kind)) throw new ApiError(400, 'bad_request', `fork_point_span_id: a fork starts at an llm, tool, agent or span span, not ${span.kind}.`)
  return { found, span, point: forkPointOf(found.spans, span) }
}

/**
 * What creating a fork at a resolved point stores: the function that re-runs is the trace's
 * name unless `functionName` says otherwise (a pushed cassette is named after its test).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { resolveServerConfig } from '../../config/server-config.ts'
 * import { ConnectionRegistry } from '../../ingest/connection-registry.ts'
 * import { IngestWriter } from '../../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../../ingest/rate-limiter.ts'
 * import { createLogger } from '../../logging/logger.ts'
 * import { openStore } from '../../store/open-store.ts'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
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
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const resolved = await resolveForkPoint(services, project.id, 'tr_1', 'tr_1.2')
 * const fork = await services.store.forks.createFork(newForkAt(project.id, resolved, 'Weather in Oslo?', undefined))
 * // Without a function name, the trace's own (the resumable function that ran):
 * ;[fork.functionName, fork.forkPointStep, fork.modifiedInput] // → ['weather', 2, 'Weather in Oslo?']
 * services.connections.dispose()
 * await store.close()
 */
export function newForkAt(projectId: string, resolved: ResolvedForkPoint, modifiedInput: unknown, functionName: string | undefined, extra: Partial<NewFork> = {}): NewFork {
  const name = functionName ?? resolved.found.trace.name
  if (!name) throw new ApiError(400, 'bad_request', `function: trace ${resolved.found.trace.id.slice(0, 200)} has no name yet (its start was not received); name the resumable function to run.`)
  return {
    projectId,
    traceId: resolved.found.trace.id,
    spanId: resolved.span.id,
    forkPointStep: resolved.point.step,
    forkPointToolCall: resolved.point.toolCall,
    functionName: name,
    modifiedInput,
    ...extra,
  }
}

/**
 * Tells every server process that forks are waiting (their schedulers claim them).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { resolveServerConfig } from '../../config/server-config.ts'
 * import { ConnectionRegistry } from '../../ingest/connection-registry.ts'
 * import { IngestWriter } from '../../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../../ingest/rate-limiter.ts'
 * import { createLogger } from '../../logging/logger.ts'
 * import { openStore } from '../../store/open-store.ts'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
 * const heard: string[] = []
 * store.feed.subscribe((message) => heard.push(message.kind))
 * await announceQueued(services, project.id)
 * heard // → ['forks.queued']
 * services.connections.dispose()
 * await store.close()
 */
export async function announceQueued(services: ServerServices, projectId: string): Promise<void> {
  await services.store.feed.publish({ kind: 'forks.queued', projectId })
}
