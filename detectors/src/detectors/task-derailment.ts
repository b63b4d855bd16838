import type { Flag } from '../flags/flag.ts'
import { jsonText, quote } from '../trace/json-text.ts'
import type { TraceStep } from '../trace/trace-view.ts'
import { detectorFlag, wordCount, type DetectorContext } from './detector-context.ts'

/** Messages shorter than this (in words) say too little to be on or off task. */
export const MIN_DERAILMENT_WORDS = 8
/** An agent counts as having been on task once a message of it scored this many times the threshold. */
export const ON_TASK_FACTOR = 3

/**
 * Task derailment (MAST 2.3): an agent that was on task drifts away from it. Each message of
 * at least 8 words (with the calls it made; tool results are data, not messages) is scored
 * against the task text: the TF-IDF cosine of their content words (stopwords removed, IDF
 * over the whole trace), blended with the embedding cosine when an embedder is given. After
 * a message of the agent scored at least 3 × `derailmentThreshold` (0.05), `minRepeats` (3)
 * consecutive messages of it below the threshold are a derailment. Messages that quote the
 * task itself are skipped.
 *
 * An agent that never spoke of the task (a reviewer's "please rewrite the intro") is not
 * judged: word overlap cannot tell it from one talking of something else; an embedder or a
 * judge can.
 *
 * The decisive step is the first off-task message.
 *
 * @example
 * import { buildTraceView } from '../trace/trace-view.ts'
 * import { createTextSimilarity } from '../trace/text-similarity.ts'
 * import { resolveDetectOptions } from './detect-options.ts'
 * let clock = 0
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const span = (fields: object) => ({ id: `s${++clock}`, traceId: 't1', startedAt: at(clock), endedAt: at(clock), durationMs: 0, status: 'ok' as const, ...fields })
 * const message = (agent: string, output: string, to?: string) => span({ kind: 'agent', name: agent, agent: { id: agent }, output, ...(to ? { metadata: { to } } : {}) })
 * const tool = (agent: string, name: string, input: unknown, output: unknown) => span({ kind: 'tool', name, agent: { id: agent }, input, output })
 * const ended = (task: string, spans: object[], output: unknown) => ({ trace: { id: 't1', name: 'run', startedAt: at(0), input: task }, spans, end: { id: 't1', endedAt: at(99), status: 'completed' as const, output, totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 99_000 } } })
 * const trace = ended('Summarise ACME Corp quarterly revenue growth for Q3 2024 from the investor report.', [
 *   message('researcher', 'ACME Corp quarterly revenue grew in Q3 2024 according to the investor report; I am reading the revenue table now.'),
 *   message('researcher', 'Meanwhile the local football club won their derby match on Saturday with a late penalty kick.'),
 *   message('researcher', 'The striker who scored has now netted twelve goals this season, a club record for a winger.'),
 *   message('researcher', 'Tickets for the next home game against the league leaders sell out fast, so fans should book early.'),
 * ], 'ACME Corp revenue grew 8% in Q3 2024.')
 * const view = buildTraceView(trace)
 * const context = { view, texts: createTextSimilarity(view.steps.map((step) => step.text)), options: resolveDetectOptions() }
 * detectTaskDerailment(context).map((flag) => [flag.kind, flag.agent]) // → [['task-derailment', 'researcher']]
 */
export function detectTaskDerailment({ view, texts, options }: DetectorContext): Flag[] {
  const task = view.task
  if (!task || wordCount(task) < 3) return []
  const quotesTask = (text: string) => normalize(text).includes(normalize(task))
  const flags: Flag[] = []
  for (const agent of view.agents) {
    const messages = view.steps
      .filter((step) => step.agent === agent)
      .map((step) => ({ step, text: contentOf(step) }))
      .filter(({ text }) => wordCount(text) >= MIN_DERAILMENT_WORDS && !quotesTask(text))
    let onTask = false
    let run: Array<{ step: TraceStep; text: string; relevance: number }> = []
    const flush = () => {
      if (run.length >= options.minRepeats) flags.push(derailment(agent, run, task, options.derailmentThreshold))
      run = []
    }
    for (const message of messages) {
      const relevance = texts.relevance(task, message.text)
      if (onTask && relevance < options.derailmentThreshold) {
        run.push({ ...message, relevance })
        continue
      }
      flush()
      if (relevance >= ON_TASK_FACTOR * options.derailmentThreshold) onTask = true
    }
    flush()
  }
  return flags
}

function derailment(agent: string, run: ReadonlyArray<{ step: TraceStep; text: string; relevance: number }>, task: string, threshold: number): Flag {
  const mean = run.reduce((sum, message) => sum + message.relevance, 0) / run.length
  return detectorFlag('task-derailment', {
    agent,
    spanIds: run.map((message) => message.step.spanId),
    message: `${run.length} consecutive messages of ${agent} are off task (mean similarity to the task ${mean.toFixed(2)}, below ${threshold}).`,
    evidence: [`task: ${quote(task, 160)}`, ...run.slice(0, 2).map((message) => quote(message.text, 160))],
    confidence: Math.min(0.85, 0.6 + 0.05 * (run.length - 3) + 0.15 * (1 - mean / threshold)),
  })
}

// What the agent said and asked for; tool results are data, and data rarely reads like the task.
function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase()
}

function contentOf(step: TraceStep): string {
  return [step.text, ...step.actions.map((action) => `${action.name} ${jsonText(action.args)}`)].filter(Boolean).join('\n')
}
