import { CASSETTE_VERSION, type Cassette, type Interaction, type JsonValue } from '@retrace/cassettes'
import type { WireSpan } from '@retrace/protocol'
import type { Store, TraceWithSpans } from '../../store/store.ts'
import { VERSION } from '../../version.ts'

/**
 * An LLM call's span: it carries a provider-neutral step (`llm`, or `error` for a failed call).
 *
 * @example
 * const span = { id: 's1', traceId: 't1', kind: 'tool' as const, name: 'search', startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:00:01.000Z', durationMs: 1000, status: 'ok' as const }
 * isLlmSpan(span) // → false
 * isLlmSpan({ ...span, kind: 'error', step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', streamed: false, complete: false, input: [], tools: [], output: [] } }) // → true
 */
export function isLlmSpan(span: WireSpan): boolean {
  return span.step !== undefined
}

const timeOf = (iso: string) => {
  const ms = Date.parse(iso)
  return Number.isFinite(ms) ? ms : 0
}

/**
 * The LLM calls of a run in step order: the order the SDK counted them in (`forkPoint.step`,
 * by completion), else a pushed cassette's interaction order, else end time.
 *
 * @example
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const llm = (n: number, text: string) => ({
 *   id: `sp_${n}`, traceId: 'tr_1', kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 * })
 * const tool = { ...llm(9, ''), id: 'sp_t', kind: 'tool' as const, step: undefined }
 * llmSpansInOrder([llm(2, 'Sunny.'), tool, llm(1, 'Let me check.')]).map((span) => span.id) // → ['sp_1', 'sp_2']
 */
export function llmSpansInOrder(spans: readonly WireSpan[]): WireSpan[] {
  const key = (span: WireSpan): number => {
    if (span.forkPoint) return span.forkPoint.step
    const index = span.metadata?.interaction
    return typeof index === 'number' ? index + 1 : 0
  }
  return spans.filter(isLlmSpan).sort((a, b) => key(a) - key(b) || timeOf(a.endedAt) - timeOf(b.endedAt) || timeOf(a.startedAt) - timeOf(b.startedAt))
}

/** A cassette, or why a trace cannot be one. */
export type CassetteOutcome = { cassette: Cassette; pushed: boolean } | { problem: string }

/**
 * A streamed trace as a format-v1 cassette: the HTTP exchange of each LLM span (sent by the
 * SDK, redacted by the cassette rules) in step order, and the run's outcome. A trace whose LLM
 * spans came without their exchange (an older SDK, `captureContent: false`, an exchange over
 * `maxPayloadChars`) cannot be one; the problem says which and what to do.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../../store/open-store.ts'
 * import { generateApiKey } from '../../auth/api-keys.ts'
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
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const outcome = assembleCassette((await store.getTrace(project.id, 'tr_1'))!)
 * // Then: if ('cassette' in outcome) await writeCassetteFile(file, outcome.cassette)
 * 'cassette' in outcome && outcome.cassette.interactions.length // → 2
 * await store.close()
 */
export function assembleCassette(found: TraceWithSpans): CassetteOutcome {
  const llm = llmSpansInOrder(found.spans)
  const missing = llm.filter((span) => span.interaction === undefined)
  if (missing.length) {
    return {
      problem: `Trace ${found.trace.id.slice(0, 200)} has ${missing.length} of ${llm.length} LLM call(s) without their HTTP exchange, so it cannot be rebuilt as a cassette: it was recorded with captureContent: false, by an SDK that did not send exchanges, or an exchange was larger than maxPayloadChars. Record it again, or push the cassette of a test (retrace push).`,
    }
  }
  const trace = found.trace
  const run: Cassette['run'] =
    trace.status === 'failed' && trace.error
      ? { error: { name: trace.error.type, message: trace.error.message } }
      : trace.status === 'completed' && trace.output !== null
        ? { result: trace.output as JsonValue }
        : undefined
  return {
    cassette: {
      version: CASSETTE_VERSION,
      meta: { recorder: `@retrace/server ${VERSION} (trace ${trace.id.slice(0, 200)})` },
      ...(run ? { run } : {}),
      interactions: llm.map((span) => span.interaction as Interaction),
    },
    pushed: false,
  }
}

/**
 * The recording of a trace as a cassette: a pushed cassette as it was pushed, a streamed
 * trace rebuilt from its spans; undefined when there is no such trace in the project.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../../store/open-store.ts'
 * import { generateApiKey } from '../../auth/api-keys.ts'
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
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const outcome = await cassetteOfTrace(store, project.id, 'tr_1')
 * outcome !== undefined && 'cassette' in outcome && outcome.pushed // → false
 * await cassetteOfTrace(store, project.id, 'tr_9') // → undefined
 * await store.close()
 */
export async function cassetteOfTrace(store: Store, projectId: string, traceId: string): Promise<CassetteOutcome | undefined> {
  const body = await store.getCassetteBody(projectId, traceId)
  if (body !== undefined) return { cassette: JSON.parse(body) as Cassette, pushed: true }
  const found = await store.getTrace(projectId, traceId)
  return found ? assembleCassette(found) : undefined
}

/**
 * The recorded `tool()` calls of a run, in the order they started: what a fork's prefix
 * returns instead of running them again.
 *
 * @example
 * const tool = (n: number, city: string) => ({ id: `sp_${n}`, traceId: 'tr_1', kind: 'tool' as const, name: 'get_weather', startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:00:01.000Z', durationMs: 1000, status: 'ok' as const, input: { city }, output: { sky: 'sunny' }, forkPoint: { step: 2, toolCall: n } })
 * recordedToolCalls([tool(2, 'Oslo'), tool(1, 'Paris')])
 * // → [{ name: 'get_weather', input: { city: 'Paris' }, output: { sky: 'sunny' } }, { name: 'get_weather', input: { city: 'Oslo' }, output: { sky: 'sunny' } }]
 */
export function recordedToolCalls(spans: readonly WireSpan[]): Array<{ name: string; input?: JsonValue; output?: JsonValue }> {
  return spans
    .filter((span) => span.kind === 'tool' && span.forkPoint?.toolCall !== undefined)
    .sort((a, b) => a.forkPoint!.toolCall! - b.forkPoint!.toolCall!)
    .map((span) => ({ name: span.name, ...(span.input !== undefined ? { input: span.input } : {}), ...(span.output !== undefined ? { output: span.output } : {}) }))
}
