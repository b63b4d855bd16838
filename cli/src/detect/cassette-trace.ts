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
 * const result = detect(cassetteTrace(readCassetteFile(file)!, 'weather.cassette.json'))
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
