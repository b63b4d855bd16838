import type { DetectionResult } from '../flags/flag.ts'

/** Who made the decisive mistake, and where: the Who&When question. */
export interface FailureAttribution {
  agent: string
  /** The decisive span: the top flag's `spanIds[0]`. */
  spanId: string
  /** The flag the answer comes from. */
  kind: DetectionResult['flags'][number]['kind']
  confidence: number
}

/**
 * Failure attribution: the top-ranked flag's agent and decisive span, or undefined when
 * nothing was flagged.
 *
 * @example
 * import { detect } from '@retrace/detectors'
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const search = (id: string, second: number) => ({ id, traceId: 't1', kind: 'tool' as const, name: 'search_web', agent: { id: 'researcher' }, startedAt: at(second), endedAt: at(second), durationMs: 0, status: 'ok' as const, input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] } })
 * const trace = {
 *   trace: { id: 't1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' },
 *   spans: [search('s1', 1), search('s2', 2), search('s3', 3)],
 *   end: { id: 't1', endedAt: at(4), status: 'completed' as const, output: 'Lyon had 522,250 inhabitants in 2023.', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 4000 } },
 * }
 * attributeFailure(detect(trace, { detectors: ['loop'] })) // → { agent: 'researcher', spanId: 's2', kind: 'loop', confidence: 0.85 }
 * attributeFailure(detect(trace, { detectors: ['ping-pong'] })) // → undefined
 */
export function attributeFailure(result: DetectionResult): FailureAttribution | undefined {
  const top = result.flags[0]
  if (!top) return undefined
  return { agent: top.agent, spanId: top.spanIds[0]!, kind: top.kind, confidence: top.confidence }
}
