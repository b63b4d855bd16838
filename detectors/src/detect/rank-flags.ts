import type { TraceView } from '../trace/trace-view.ts'
import { DETECTOR_KINDS, type Flag } from '../flags/flag.ts'

/**
 * Orders flags for a person and for failure attribution: most confident first; on a tie, the
 * earlier decisive step (the first mistake explains what follows); then the detector order.
 *
 * @example
 * import { buildTraceView } from '../trace/trace-view.ts'
 * import { detect } from './detect.ts'
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const search = (id: string, second: number) => ({ id, traceId: 't1', kind: 'tool' as const, name: 'search_web', agent: { id: 'researcher' }, startedAt: at(second), endedAt: at(second), durationMs: 0, status: 'ok' as const, input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] } })
 * const trace = {
 *   trace: { id: 't1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' },
 *   spans: [search('s1', 1), search('s2', 2), search('s3', 3)],
 *   end: { id: 't1', endedAt: at(4), status: 'completed' as const, output: 'Lyon had 522,250 inhabitants in 2023.', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 4000 } },
 * }
 * const flags = detect(trace).flags
 * const weak = { ...flags[0]!, confidence: 0.1, spanIds: ['s1'] }
 * rankFlags([weak, ...flags], buildTraceView(trace)).map((flag) => flag.confidence) // → [0.85, 0.5, 0.1]
 */
export function rankFlags(flags: readonly Flag[], view: TraceView): Flag[] {
  const position = new Map<string, number>()
  for (const step of view.steps) {
    if (!position.has(step.spanId)) position.set(step.spanId, step.index)
    for (const action of step.actions) if (!position.has(action.spanId)) position.set(action.spanId, step.index)
  }
  const at = (flag: Flag) => position.get(flag.spanIds[0]!) ?? Number.MAX_SAFE_INTEGER
  const order = (flag: Flag) => {
    const index = (DETECTOR_KINDS as readonly string[]).indexOf(flag.kind)
    return index < 0 ? DETECTOR_KINDS.length : index
  }
  return [...flags].sort((a, b) => b.confidence - a.confidence || at(a) - at(b) || order(a) - order(b))
}
