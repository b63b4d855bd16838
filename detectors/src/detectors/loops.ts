import type { Flag } from '../flags/flag.ts'
import { quote } from '../trace/json-text.ts'
import type { StepAction, TraceStep } from '../trace/trace-view.ts'
import { detectorFlag, wordCount, type DetectorContext } from './detector-context.ts'

/** Messages shorter than this (in words) are protocol chatter ("Next speaker Coder"), never a loop. */
export const MIN_LOOP_WORDS = 6
/** A semantic loop's repeats must fall within this many messages of the agent. */
export const LOOP_WINDOW = 10

/**
 * Loops (MAST 1.3 step repetition), two ways:
 * - the same agent calls the same tool with the same arguments `minRepeats` (3) times or more,
 *   unless every call saw a different result (polling a changing state is not a loop);
 * - the same agent sends `minRepeats` near-identical messages (`TextSimilarity.repetition` ≥
 *   `similarThreshold`, 0.85: `compareTexts` similarity, where only a new state, a replaced
 *   number, id, link or quoted label or a negation, counts as a changed critical token)
 *   within 10 of its messages.
 *
 * The decisive step is the first repeat.
 *
 * @example
 * import { buildTraceView } from '../trace/trace-view.ts'
 * import { createTextSimilarity } from '../trace/text-similarity.ts'
 * import { resolveDetectOptions } from './detect-options.ts'
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const search = (id: string, second: number) => ({ id, traceId: 't1', kind: 'tool' as const, name: 'search_web', agent: { id: 'researcher' }, startedAt: at(second), endedAt: at(second), durationMs: 0, status: 'ok' as const, input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] } })
 * const trace = {
 *   trace: { id: 't1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' },
 *   spans: [search('s1', 1), search('s2', 2), search('s3', 3)],
 *   end: { id: 't1', endedAt: at(4), status: 'completed' as const, output: 'Lyon had 522,250 inhabitants in 2023.', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 4000 } },
 * }
 * const view = buildTraceView(trace)
 * const context = { view, texts: createTextSimilarity(view.steps.map((step) => step.text)), options: resolveDetectOptions() }
 * detectLoops(context).map((flag) => [flag.kind, flag.agent, flag.spanIds]) // → [['loop', 'researcher', ['s2', 's1', 's3']]]
 */
export function detectLoops(context: DetectorContext): Flag[] {
  const flags = actionLoops(context)
  const covered = new Set(flags.flatMap((flag) => flag.spanIds))
  for (const flag of messageLoops(context)) {
    if (!flag.spanIds.every((id) => covered.has(id))) flags.push(flag)
  }
  return flags
}

function actionLoops({ view, options }: DetectorContext): Flag[] {
  const calls = new Map<string, Array<{ step: TraceStep; action: StepAction }>>()
  for (const step of view.steps) {
    for (const action of step.actions) {
      const key = `${step.agent}\u0000${action.key}`
      const list = calls.get(key) ?? []
      list.push({ step, action })
      calls.set(key, list)
    }
  }
  const flags: Flag[] = []
  for (const occurrences of calls.values()) {
    if (occurrences.length < options.minRepeats) continue
    const observations = occurrences.map(({ action }) => action.observation)
    const known = observations.filter((observation): observation is string => observation !== undefined)
    const distinct = new Set(known.map((observation) => observation.trim()))
    if (known.length === observations.length && distinct.size === observations.length) continue // polling a changing state
    const [first, repeat] = occurrences as [(typeof occurrences)[0], (typeof occurrences)[0]]
    const sameResult = known.length === observations.length && distinct.size === 1
    const call = `${first.action.name}(${argsText(first.action)})`
    flags.push(
      detectorFlag('loop', {
        agent: first.step.agent,
        spanIds: [repeat.action.spanId, ...occurrences.map(({ action }) => action.spanId)],
        message: `${first.step.agent} called ${call} ${occurrences.length} times${sameResult ? ', with the same result each time' : ''}.`,
        evidence: [quote(call), ...(sameResult && known[0] ? [quote(known[0])] : [])],
        confidence: Math.min(0.95, 0.8 + 0.05 * (occurrences.length - options.minRepeats) + (sameResult ? 0.05 : 0)),
      }),
    )
  }
  return flags
}

function messageLoops({ view, texts, options }: DetectorContext): Flag[] {
  const flags: Flag[] = []
  for (const agent of view.agents) {
    const messages = view.steps.filter((step) => step.agent === agent && wordCount(step.text) >= MIN_LOOP_WORDS)
    let i = 0
    while (i < messages.length) {
      const anchor = messages[i]!
      const repeats = [anchor]
      for (let j = i + 1; j < messages.length && j - i < LOOP_WINDOW; j++) {
        if (texts.atLeast(anchor.text, messages[j]!.text, options.similarThreshold, 'repetition')) repeats.push(messages[j]!)
      }
      if (repeats.length < options.minRepeats) {
        i++
        continue
      }
      const similarities = repeats.slice(1).map((step) => texts.repetition(anchor.text, step.text))
      const mean = similarities.reduce((sum, value) => sum + value, 0) / similarities.length
      flags.push(
        detectorFlag('loop', {
          agent,
          spanIds: [repeats[1]!.spanId, ...repeats.map((step) => step.spanId)],
          message: `${agent} sent ${repeats.length} near-identical messages (mean similarity ${mean.toFixed(2)}) within ${LOOP_WINDOW} of its messages.`,
          evidence: repeats.slice(0, 3).map((step) => quote(step.text, 160)),
          confidence: Math.min(0.9, 0.7 + 0.05 * (repeats.length - options.minRepeats) + 0.1 * (mean - options.similarThreshold) / (1 - options.similarThreshold || 1)),
        }),
      )
      // One flag per repeated message: go on after its last repeat.
      i = messages.indexOf(repeats.at(-1)!) + 1
    }
  }
  return flags
}

function argsText(action: StepAction): string {
  if (action.args === undefined) return ''
  const text = JSON.stringify(action.args)
  return text.length > 120 ? `${text.slice(0, 119)}…` : text
}
