import { z } from 'zod'
import { defineRoute } from '../../api/route-spec.ts'
import type { ServerServices } from '../../api/server-services.ts'
import { orNotFound } from '../../api/routes/trace-routes.ts'
import { ApiError } from '../../errors/server-errors.ts'
import { diffFork, ForkDiffSchema, type ForkDiff } from '../diff/fork-diff.ts'
import type { ForkRecord } from '../../store/fork-records.ts'
import { forkOrNotFound } from './fork-lookup.ts'
import { forkParams, idField } from './fork-routes.ts'

/**
 * The diff of a fork that ran (409 until it has a trace).
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
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: [...run('tr_1', ['Let me check.', 'Sunny, 18 °C.']), ...run('tr_2', ['Let me check.', 'Heavy rain and 6 °C in Oslo today.'])] }])
 * const fork = await store.forks.createFork({ projectId: project.id, traceId: 'tr_1', spanId: 'tr_1.2', forkPointStep: 2, forkPointToolCall: null, functionName: 'weather', modifiedInput: 'Oslo?' })
 * // Not run yet: 409.
 * await diffOf(services, project.id, fork).catch((error: ApiError) => error.status) // → 409
 * const diff = await diffOf(services, project.id, { ...fork, forkTraceId: 'tr_2' })
 * diff.divergence.first_divergent_step // → 2
 * services.connections.dispose()
 * await store.close()
 */
export async function diffOf(services: ServerServices, projectId: string, fork: ForkRecord): Promise<ForkDiff> {
  if (!fork.forkTraceId) throw new ApiError(409, 'conflict', `Fork ${fork.id} has not run yet (status ${fork.status}): replay it first (POST /api/v1/forks/${fork.id}/replay).`)
  const original = orNotFound(await services.store.getTrace(projectId, fork.traceId), 'trace', fork.traceId)
  const forked = orNotFound(await services.store.getTrace(projectId, fork.forkTraceId), 'trace', fork.forkTraceId)
  const { compareRuns } = await import('@retrace/divergence')
  return diffFork(fork, original, forked, (golden, candidate) => compareRuns(golden, candidate))
}

const DIFF_SUMMARY =
  'Original vs fork, side by side: steps aligned, per-step and total tokens, cost and latency with their deltas (fork − original), the first divergent step, and a semantic divergence score in [0, 1] with a verdict and reasons from @retrace/divergence. 409 until the fork ran.'

export const getForkDiff = defineRoute({
  method: 'get',
  path: '/api/v1/forks/:forkId/diff',
  tag: 'forks',
  summary: DIFF_SUMMARY,
  scope: 'read',
  params: forkParams,
  responses: { 200: { description: 'The diff.', schema: ForkDiffSchema }, 409: { description: 'The fork has not run yet.' } },
  async handler({ key, params, services }) {
    return { body: await diffOf(services, key.projectId, await forkOrNotFound(services, key.projectId, params.forkId)) }
  },
})

export const getTraceForkDiff = defineRoute({
  method: 'get',
  path: '/api/v1/traces/:traceId/diff/:forkId',
  tag: 'forks',
  summary: `The step-by-step diff of one of the trace’s forks. ${DIFF_SUMMARY}`,
  scope: 'read',
  params: z.object({ traceId: idField(), forkId: idField() }),
  responses: { 200: { description: 'The diff.', schema: ForkDiffSchema }, 404: { description: 'No such fork of this trace.' } },
  async handler({ key, params, services }) {
    const fork = await forkOrNotFound(services, key.projectId, params.forkId)
    if (fork.traceId !== params.traceId) throw new ApiError(404, 'not_found', `No fork ${params.forkId.slice(0, 200)} of trace ${params.traceId.slice(0, 200)} in this project.`)
    return { body: await diffOf(services, key.projectId, fork) }
  },
})
