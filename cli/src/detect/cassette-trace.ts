import type { Cassette, Step, StoredStep } from '@retrace/cassettes'
import type { DetectorTrace } from '@retrace/detectors'
import { cassetteParts } from '../review/cassette-steps.ts'

// A span as the detectors read it (the wire protocol's, through @retrace/detectors: the CLI
// declares no dependency on @retrace/protocol of its own).
type WireSpan = DetectorTrace['spans'][number]

/** The agent id LLM steps of a cassette get: a cassette records one agent's calls, untagged. */
export const CASSETTE_AGENT = 'agent'

/**
 * A cassette as a trace the detectors read: one `llm` span per LLM step (the full step when
 * the request body can be read, else what the model did), in cassette order, one second apart
 * from the Unix epoch; the result is the run's recorded result or the last step's text.
 *
 * @example
 * import { detect } from '@retrace/detectors'
 * const search = () => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Population of Lyon in 2023?' }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search_web', arguments: '{"query":"Lyon population 2023"}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const trace = cassetteTrace({ version: 1, interactions: [search(), search(), search()] }, 'lyon.cassette.json')
 * trace.spans.map((span) => [span.id, span.kind, span.agent?.id])
 * // → [['cassette:lyon.cassette.json#0', 'llm', 'agent'], ['cassette:lyon.cassette.json#1', 'llm', 'agent'], ['cassette:lyon.cassette.json#2', 'llm', 'agent']]
 * detect(trace).flags.map((flag) => flag.kind).includes('loop') // → true
 */
export function cassetteTrace(cassette: Cassette, name: string): DetectorTrace {
  const id = `cassette:${name}`
  const at = (seconds: number) => new Date(seconds * 1000).toISOString()
  const spans: WireSpan[] = cassetteParts(cassette).steps.map(({ interaction, stored, extracted }, index) => ({
    id: `${id}#${interaction}`,
    traceId: id,
    kind: 'llm',
    name: stored.model ?? stored.operation,
    startedAt: at(index),
    endedAt: at(index + 1),
    durationMs: 1000,
    status: 'ok',
    agent: { id: CASSETTE_AGENT },
    step: extracted ?? withoutRequest(stored),
  }))
  const result = cassette.run?.result
  const lastText = [...spans].reverse().map((span) => span.step?.output.filter((part) => part.type === 'text').map((part) => (part as { content: string }).content).join('\n')).find(Boolean)
  const output = result !== undefined ? result : lastText
  const input = cassette.run?.entry?.input
  return {
    trace: { id, name, startedAt: at(0), ...(input ? { input } : {}) },
    spans,
    end: {
      id,
      endedAt: at(spans.length),
      status: cassette.run?.error ? 'failed' : 'completed',
      ...(output !== undefined ? { output } : {}),
      ...(cassette.run?.error ? { error: { type: cassette.run.error.name, message: cassette.run.error.message } } : {}),
      totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: spans.length * 1000 },
    },
  }
}

/** A stored step holds what the model did, not what it was sent. */
function withoutRequest(stored: StoredStep): Step {
  return { ...stored, input: [], tools: [] }
}
