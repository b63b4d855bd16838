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
 * const result = detect({ trace: start, spans, end })
 * for (const flag of result.flags) console.log(flag.kind, flag.mastMode, flag.agent, flag.message)
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
 * runDetectors(buildTraceView(trace), resolveDetectOptions())
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
