import type { DetectorContext, Detector } from '../detectors/detector-context.ts'
import { detectLoops } from '../detectors/loops.ts'
import { detectNoProgress } from '../detectors/no-progress.ts'
import { detectPingPong } from '../detectors/ping-pong.ts'
import { detectReasoningActionMismatch } from '../detectors/reasoning-action-mismatch.ts'
import { detectTaskDerailment } from '../detectors/task-derailment.ts'
import { detectMissingVerification, detectPrematureTermination } from '../detectors/termination.ts'
import { DETECTORS_VERSION, type DetectionResult, type DetectorKind, type Flag } from '../flags/flag.ts'
import { rankFlags } from './rank-flags.ts'
import { parseDetectorTrace, type DetectorTrace } from '../trace/detector-trace.ts'
import { createTextSimilarity, type TextSimilarityOptions } from '../trace/text-similarity.ts'
import { buildTraceView, type TraceView } from '../trace/trace-view.ts'
import { resolveDetectOptions, type DetectOptions, type ResolvedDetectOptions } from '../detectors/detect-options.ts'

const DETECTORS: Readonly<Record<DetectorKind, Detector>> = {
  'ping-pong': detectPingPong,
  loop: detectLoops,
  'no-progress': detectNoProgress,
  'reasoning-action-mismatch': detectReasoningActionMismatch,
  'task-derailment': detectTaskDerailment,
  'premature-termination': detectPrematureTermination,
  'missing-verification': detectMissingVerification,
}

/**
 * Runs the failure detectors over a trace and returns their flags, most confident first
 * (ties: the earlier decisive step first). Pure and deterministic: the same trace gives the
 * same flags, offline. The trace is validated first (`DetectorTraceError` on a bad one).
 *
 * @example
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const search = (id: string, second: number) => ({ id, traceId: 't1', kind: 'tool' as const, name: 'search_web', agent: { id: 'researcher' }, startedAt: at(second), endedAt: at(second), durationMs: 0, status: 'ok' as const, input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] } })
 * const trace = {
 *   trace: { id: 't1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' },
 *   spans: [search('s1', 1), search('s2', 2), search('s3', 3)],
 *   end: { id: 't1', endedAt: at(4), status: 'completed' as const, output: 'Lyon had 522,250 inhabitants in 2023.', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 4000 } },
 * }
 * const result = detect(trace)
 * result.flags.map((flag) => [flag.kind, flag.mastMode, flag.agent, flag.spanIds])
 * // → [['loop', '1.3 step repetition', 'researcher', ['s2', 's1', 's3']], ['missing-verification', '3.2 no or incomplete verification', 'researcher', ['s3']]]
 * result.flags[0]?.message // → 'researcher called search_web({"query":"Lyon population 2023"}) 3 times, with the same result each time.'
 */
export function detect(trace: DetectorTrace, options: DetectOptions = {}): DetectionResult {
  const resolved = resolveDetectOptions(options)
  const parsed = parseDetectorTrace(trace)
  const view = buildTraceView(parsed, resolved.task === undefined ? {} : { task: resolved.task })
  return runDetectors(view, resolved)
}

/**
 * The detectors over a trace already flattened, with an optional embedding cosine for the
 * text comparisons (`semantic`). Shared by `detect` and `detectAsync`.
 *
 * @example
 * import { buildTraceView } from '../trace/trace-view.ts'
 * import { resolveDetectOptions } from '../detectors/detect-options.ts'
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const search = (id: string, second: number) => ({ id, traceId: 't1', kind: 'tool' as const, name: 'search_web', agent: { id: 'researcher' }, startedAt: at(second), endedAt: at(second), durationMs: 0, status: 'ok' as const, input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] } })
 * const trace = {
 *   trace: { id: 't1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' },
 *   spans: [search('s1', 1), search('s2', 2), search('s3', 3)],
 *   end: { id: 't1', endedAt: at(4), status: 'completed' as const, output: 'Lyon had 522,250 inhabitants in 2023.', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 4000 } },
 * }
 * runDetectors(buildTraceView(trace), resolveDetectOptions()).flags.map((flag) => flag.kind) // → ['loop', 'missing-verification']
 * runDetectors(buildTraceView(trace), resolveDetectOptions({ detectors: ['ping-pong'] })).flags // → []
 */
export function runDetectors(view: TraceView, options: ResolvedDetectOptions, semantic?: TextSimilarityOptions): DetectionResult {
  const corpus = [...(view.task ? [view.task] : []), ...view.steps.map((step) => step.text).filter(Boolean)]
  const context: DetectorContext = { view, options, texts: createTextSimilarity(corpus, semantic) }
  const flags: Flag[] = []
  for (const kind of options.detectors) flags.push(...DETECTORS[kind](context))
  return {
    traceId: view.trace.trace.id,
    flags: rankFlags(
      withoutExplained(flags).filter((flag) => flag.confidence >= options.minConfidence),
      view,
    ),
    detectors: [...options.detectors],
    version: DETECTORS_VERSION,
  }
}

/**
 * A ping-pong is made of each agent repeating itself: the loops inside it say nothing more,
 * so a loop flag whose spans all belong to a ping-pong flag is dropped.
 */
function withoutExplained(flags: readonly Flag[]): Flag[] {
  const pingPong = new Set(flags.filter((flag) => flag.kind === 'ping-pong').flatMap((flag) => flag.spanIds))
  return flags.filter((flag) => flag.kind !== 'loop' || !flag.spanIds.every((id) => pingPong.has(id)))
}
