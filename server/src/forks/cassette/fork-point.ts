import type { WireSpan } from '@retrace/protocol'
import { isLlmSpan, llmSpansInOrder } from './trace-cassette.ts'

/** Where a fork at a span starts (PROTOCOL.md §8). */
export interface ForkPoint {
  /** 1-based LLM step from which calls run live; the steps before it are served from the recording. */
  step: number
  /** For a fork at a tool or agent span: `tool()` calls from this one on run live. */
  toolCall: number | null
}

/** The span kinds a fork can start at: LLM calls, tools, agents and plain spans. */
export const FORKABLE_KINDS: ReadonlySet<WireSpan['kind']> = new Set(['llm', 'tool', 'agent', 'span', 'error'])

/**
 * Maps a span to the step a fork at it starts from:
 * - an LLM span (`llm`, or `error` for a failed call): its own step — it and every later
 *   call run live with the new input;
 * - a `tool()` span: the step after the LLM call that asked for it, and the tool call itself
 *   runs live (`toolCall`), so a fork at a tool re-runs that tool;
 * - an `agent` or `span` span: the first LLM call made after it started, and every `tool()`
 *   call from its start on runs live.
 * The SDK counts this while the run goes on (`span.forkPoint`); for spans without it (a pushed
 * cassette, an older SDK) it is rebuilt from the order of the LLM calls and the span's start.
 *
 * @example
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const llm = (n: number, text: string) => ({
 *   id: `sp_${n}`, traceId: 'tr_1', kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 * })
 * const spans = [llm(1, 'Let me check.'), llm(2, 'Checking the forecast.'), llm(3, 'Sunny, 18 °C.')]
 * forkPointOf(spans, spans[2]!) // → { step: 3, toolCall: null }
 * // A tool span started after step 1 ended: the fork starts at step 2 and re-runs the tool.
 * const tool = { ...spans[0]!, id: 'sp_t', kind: 'tool' as const, name: 'get_weather', step: undefined, startedAt: at(4) }
 * forkPointOf(spans, tool) // → { step: 2, toolCall: null }
 */
export function forkPointOf(spans: readonly WireSpan[], span: WireSpan): ForkPoint {
  if (span.forkPoint) return { step: span.forkPoint.step, toolCall: isLlmSpan(span) ? null : (span.forkPoint.toolCall ?? null) }
  const llm = llmSpansInOrder(spans)
  if (isLlmSpan(span)) return { step: llm.indexOf(span) + 1, toolCall: null }
  const startedMs = Date.parse(span.startedAt)
  return { step: llm.filter((call) => Date.parse(call.endedAt) <= startedMs).length + 1, toolCall: null }
}
