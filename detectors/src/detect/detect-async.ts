import { cosineSimilarity, type Embedder } from '@retrace/divergence'
import { finalAnswer } from '../detectors/termination.ts'
import { DetectorJudgeError } from '../errors/detector-errors.ts'
import { MAST_MODES, type DetectionResult, type Flag } from '../flags/flag.ts'
import { rankFlags } from './rank-flags.ts'
import { JudgeVerdictSchema, type DetectorJudge, type JudgeRequest } from '../judge/judge.ts'
import { parseDetectorTrace, type DetectorTrace } from '../trace/detector-trace.ts'
import { buildTraceView, type TraceView } from '../trace/trace-view.ts'
import { resolveDetectOptions, type DetectOptions } from '../detectors/detect-options.ts'
import { runDetectors } from './detect.ts'

/** Options of `detectAsync`: those of `detect`, plus the plug-ins. */
export interface DetectAsyncOptions extends DetectOptions {
  /** Your embedding model: its cosine joins every text comparison (loops, ping-pong, derailment). */
  embedder?: Embedder
  /** How much the embedding counts against word overlap, 0–1 (default 1: paraphrases count as the same text; a changed number still does not). */
  embeddingWeight?: number
  /** Reviews the deterministic flags: rescores them and may add its own (`kind: 'judge'`). */
  judge?: DetectorJudge
}

const JUDGE_TEXT_CHARS = 2_000

/**
 * `detect` with plug-ins: an embedder for the text comparisons and a judge (your LLM) that
 * rescores and adds flags. Without plug-ins it returns exactly what `detect` returns. The
 * plug-ins' model calls are yours: record them in a cassette (`withCassette`) and the
 * evaluation replays offline with the same flags. A plug-in that fails throws
 * `DetectorJudgeError`, which carries the deterministic flags.
 *
 * @example
 * import { createLlmJudge } from '@retrace/detectors'
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const search = (id: string, second: number) => ({ id, traceId: 't1', kind: 'tool' as const, name: 'search_web', agent: { id: 'researcher' }, startedAt: at(second), endedAt: at(second), durationMs: 0, status: 'ok' as const, input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] } })
 * const trace = {
 *   trace: { id: 't1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' },
 *   spans: [search('s1', 1), search('s2', 2), search('s3', 3)],
 *   end: { id: 't1', endedAt: at(4), status: 'completed' as const, output: 'Lyon had 522,250 inhabitants in 2023.', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 4000 } },
 * }
 * // Your model's answer; here a stand-in that lowers the loop flag's confidence.
 * const complete = async (prompt: string) => (prompt.includes('search_web') ? '{ "rescore": [{ "flag": 0, "confidence": 0.4 }] }' : '{}')
 * const result = await detectAsync(trace, { judge: createLlmJudge({ id: 'gpt-4o-mini/mast-v1', complete }) })
 * result.flags.map((flag) => [flag.kind, flag.confidence]) // → [['missing-verification', 0.5], ['loop', 0.4]]
 * result.judge // → 'gpt-4o-mini/mast-v1'
 */
export async function detectAsync(trace: DetectorTrace, options: DetectAsyncOptions = {}): Promise<DetectionResult> {
  const { embedder, judge, embeddingWeight, ...rest } = options
  const resolved = resolveDetectOptions(rest)
  const view = buildTraceView(parseDetectorTrace(trace), resolved.task === undefined ? {} : { task: resolved.task })
  let cosine: ((a: string, b: string) => number | undefined) | undefined
  if (embedder) {
    try {
      cosine = await embeddingCosine(view, embedder)
    } catch (error) {
      throw new DetectorJudgeError({ judge: embedder.id, detail: error instanceof Error ? error.message : String(error), flags: runDetectors(view, resolved).flags, cause: error })
    }
  }
  const result = runDetectors(view, resolved, cosine && { cosine, embeddingWeight: embeddingWeight ?? 1 })
  if (!judge) return result
  const request = judgeRequest(view, result.flags)
  let flags: Flag[]
  try {
    flags = applyVerdict(request, JudgeVerdictSchema.parse(await judge.review(request)), judge.id)
  } catch (error) {
    throw new DetectorJudgeError({ judge: judge.id, detail: error instanceof Error ? error.message : String(error), flags: result.flags, cause: error })
  }
  return { ...result, flags: rankFlags(flags.filter((flag) => flag.confidence >= resolved.minConfidence), view), judge: judge.id }
}

async function embeddingCosine(view: TraceView, embedder: Embedder): Promise<(a: string, b: string) => number | undefined> {
  const cut = (text: string) => text.slice(0, JUDGE_TEXT_CHARS)
  const texts = [...new Set([view.task ?? '', ...view.steps.map((step) => step.text)].filter(Boolean).map(cut))]
  const vectors = await embedder.embed(texts)
  if (!Array.isArray(vectors) || vectors.length !== texts.length) throw new Error(`embed() returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${texts.length} texts`)
  const byText = new Map(texts.map((text, index) => [text, vectors[index]!]))
  return (a, b) => {
    const x = byText.get(cut(a))
    const y = byText.get(cut(b))
    return x && y ? cosineSimilarity(x, y) : undefined
  }
}

function judgeRequest(view: TraceView, flags: Flag[]): JudgeRequest {
  return {
    traceId: view.trace.trace.id,
    task: view.task,
    answer: view.trace.end ? finalAnswer(view) : '',
    steps: view.steps.map((step) => ({
      index: step.index,
      spanId: step.spanId,
      agent: step.agent,
      text: step.text.length > JUDGE_TEXT_CHARS ? `${step.text.slice(0, JUDGE_TEXT_CHARS)}…` : step.text,
      actions: step.actions.map((action) => `${action.name}(${action.args === undefined ? '' : JSON.stringify(action.args)})`),
    })),
    flags,
    mastModes: MAST_MODES,
  }
}

function applyVerdict(request: JudgeRequest, verdict: ReturnType<typeof JudgeVerdictSchema.parse>, judge: string): Flag[] {
  const flags = request.flags.map((flag) => ({ ...flag }))
  for (const { flag, confidence } of verdict.rescore) {
    if (!flags[flag]) throw new Error(`rescore names flag ${flag}, and there are ${flags.length}`)
    flags[flag]!.confidence = confidence
  }
  for (const added of verdict.add) {
    const step = request.steps[added.step]
    if (!step) throw new Error(`add names step ${added.step}, and there are ${request.steps.length}`)
    flags.push({
      kind: 'judge',
      mastMode: added.mastMode,
      agent: added.agent ?? step.agent,
      spanIds: [step.spanId],
      message: added.message,
      evidence: added.evidence,
      confidence: added.confidence,
      source: judge,
    })
  }
  return flags
}
