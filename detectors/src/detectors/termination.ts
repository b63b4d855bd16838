import type { JsonValue } from '@retrace/cassettes'
import { extractCriticalTokens } from '@retrace/divergence'
import type { Flag } from '../flags/flag.ts'
import { jsonText, quote } from '../trace/json-text.ts'
import { contentWords } from '../trace/text-similarity.ts'
import type { TraceStep, TraceView } from '../trace/trace-view.ts'
import { detectorFlag, type DetectorContext } from './detector-context.ts'

/** An answer that says there is no answer. */
export const NON_ANSWER =
  /\b(?:(?:unable|not able|failed|could not|couldn't|cannot|can't|did not|didn't) (?:to )?(?:determine|find|answer|locate|identify|access|complete|retrieve|obtain|get|fetch|load|reach|verify|confirm)|no (?:answer|information|data|results?) (?:was |were |is |are )?(?:found|available)|i (?:do not|don't) know|not (?:found|available|determined|known)|unknown|n\/a|none found)\b/i
// A task asking for a quantity expects a number in the answer.
const ASKS_FOR_NUMBER = /\b(?:how (?:many|much|long|far|old|often)|what (?:is the )?(?:number|percentage|percent|year|price|cost|amount|count|total)|in percentage|as a percentage|to the nearest)\b/i
// Checking a result: an action or a request that checks, or a report of a check done.
const VERIFICATION = /\b(?:verif(?:y|ies|ied|ying|ication)|double[- ]check(?:s|ed|ing)?|cross[- ]?check(?:s|ed|ing)?|confirm(?:s|ed|ing|ation)?|validat(?:e|es|ed|ing|ion)|re-?check(?:s|ed|ing)?|sanity[- ]check|assert(?:s|ed|ion)?|tests? (?:pass|passed|fail|failed))\b/i
// A tool whose name says it checks: run_tests, verify_total, check_links, lint.
const CHECKING_TOOL = /\b(?:tests?|check|checks|verify|validate|assert|lint)\b/i
// A check reported as done.
const CHECK_DONE = /\b(?:verified|confirmed|double-checked|cross-checked|validated|re-?checked|tests? passed)\b/gi
// A step that declares the work done.
const COMPLETION = /\b(?:final answer|request (?:is |has been |was )?(?:now )?(?:satisfied|fulfilled|complete|completed)|task (?:is |has been |was )?(?:now )?(?:complete|completed|done|finished|solved)|terminate|the answer is)\b/i

/**
 * Premature termination (MAST 3.1): the run ended without the answer the task asks for —
 * it failed, it returned nothing, it returned a non-answer ("unable to determine", "not
 * found"), or the task asks for a quantity ("how many", "what percentage") and the answer
 * holds no number. Only for ended traces. The answer is `trace.end.output` (JSON null means
 * "no answer"); when the end has no output, the last message of the run.
 *
 * The decisive step is the run's last step: where the agents stopped.
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
 * const trace = ended('How many public holidays does Bavaria have in 2025?', [
 *   message('orchestrator', 'Searcher, please find the list of public holidays in Bavaria for 2025.', 'searcher'),
 *   tool('searcher', 'search_web', { query: 'Bavaria public holidays 2025' }, { results: ['feiertage-bayern.de'] }),
 * ], null)
 * const view = buildTraceView(trace)
 * const context = { view, texts: createTextSimilarity(view.steps.map((step) => step.text)), options: resolveDetectOptions() }
 * detectPrematureTermination(context).map((flag) => [flag.kind, flag.agent]) // → [['premature-termination', 'searcher']]
 */
export function detectPrematureTermination({ view }: DetectorContext): Flag[] {
  const end = view.trace.end
  const last = lastWorkingStep(view)
  if (!end || !last) return []
  const answer = finalAnswer(view)
  const flag = (message: string, evidence: string[], confidence: number, step: TraceStep = last) =>
    detectorFlag('premature-termination', { agent: step.agent, spanIds: [step.spanId], message, evidence, confidence })
  if (end.status === 'failed') {
    const failed = [...view.steps].reverse().find((step) => step.failed) ?? last
    const error = end.error ? `${end.error.type}: ${end.error.message}` : 'no error given'
    return [flag(`The run failed before answering (${error}).`, [quote(error)], 0.7, failed)]
  }
  if (!answer.trim()) return [flag('The run ended without an answer.', [quote(last.text || last.actions.map((action) => action.name).join(', ') || '(empty)', 160)], 0.9)]
  if (NON_ANSWER.test(answer)) return [flag(`The run ended with a non-answer: ${quote(answer, 120)}.`, [quote(answer, 200)], 0.8)]
  if (view.task && ASKS_FOR_NUMBER.test(view.task) && !/\d/.test(answer) && !/\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|million|billion)\b/i.test(answer)) {
    return [flag('The task asks for a quantity and the answer holds no number.', [`task: ${quote(view.task, 120)}`, `answer: ${quote(answer, 120)}`], 0.6)]
  }
  return []
}

/**
 * Missing verification (MAST 3.2 no or incomplete verification): the run answered, and no
 * step checked the answer — no tool call, request to another agent or report that verifies,
 * confirms, validates, double-checks or tests it, after the answer first appeared in the run
 * (after the run's first action when the answer cannot be found earlier). Plans that only say
 * "we should verify" do not count; a step addressed to another agent does.
 *
 * The decisive step is the one that declared the work done (a "final answer", "task
 * complete", "TERMINATE" step) at or after the answer appeared, else the last step.
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
 * const trace = ended('Rename the function getUser to fetchUser everywhere.', [
 *   tool('coder', 'edit_file', { path: 'src/users.ts', find: 'getUser', replace: 'fetchUser' }, { changed: 3 }),
 *   message('coder', 'Task complete: getUser is now fetchUser in src/users.ts.'),
 * ], 'Renamed getUser to fetchUser (3 places).')
 * const view = buildTraceView(trace)
 * const context = { view, texts: createTextSimilarity(view.steps.map((step) => step.text)), options: resolveDetectOptions() }
 * detectMissingVerification(context).map((flag) => [flag.kind, flag.agent, flag.spanIds[0]]) // → [['missing-verification', 'coder', 's2']]
 */
export function detectMissingVerification({ view }: DetectorContext): Flag[] {
  const end = view.trace.end
  const last = lastWorkingStep(view)
  if (!end || end.status === 'failed' || !last) return []
  const answer = finalAnswer(view)
  if (!answer.trim() || NON_ANSWER.test(answer)) return []
  const appeared = answerAppearance(view, answer, last)
  // Without a place where the answer appeared, a check must at least follow the first action
  // (a plan's "verified facts" heading checks nothing).
  const from = appeared ?? view.steps.find((step) => step.actions.length > 0)?.index ?? 0
  const checked = view.steps.find((step) => step.index >= from && step.text !== view.task && verifies(step))
  if (checked) return []
  const concluded = view.steps.find((step) => step.index >= from && COMPLETION.test(step.text)) ?? last
  const found = appeared === undefined ? '' : ` (it first appears in step ${appeared + 1})`
  return [
    detectorFlag('missing-verification', {
      agent: concluded.agent,
      spanIds: [concluded.spanId, ...(appeared === undefined ? [] : [view.steps[appeared]!.spanId])],
      message: `The run answered ${quote(answer, 80)} and no step checked it${found}.`,
      evidence: [`answer: ${quote(answer, 160)}`, quote(concluded.text || concluded.spanId, 160)],
      confidence: 0.5,
    }),
  ]
}

/**
 * The answer the run ended with: `trace.end.output` as text (JSON null: no answer), else the
 * text of the last step that said something.
 *
 * @example
 * import { buildTraceView } from '../trace/trace-view.ts'
 * let clock = 0
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const span = (fields: object) => ({ id: `s${++clock}`, traceId: 't1', startedAt: at(clock), endedAt: at(clock), durationMs: 0, status: 'ok' as const, ...fields })
 * const message = (agent: string, output: string, to?: string) => span({ kind: 'agent', name: agent, agent: { id: agent }, output, ...(to ? { metadata: { to } } : {}) })
 * const tool = (agent: string, name: string, input: unknown, output: unknown) => span({ kind: 'tool', name, agent: { id: agent }, input, output })
 * const ended = (task: string, spans: object[], output: unknown) => ({ trace: { id: 't1', name: 'run', startedAt: at(0), input: task }, spans, end: { id: 't1', endedAt: at(99), status: 'completed' as const, output, totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 99_000 } } })
 * const steps = [message('assistant', 'The weather in Paris is sunny, 18 °C.')]
 * finalAnswer(buildTraceView(ended('Weather in Paris?', steps, 'Sunny, 18 °C.'))) // → 'Sunny, 18 °C.'
 * // No output at the end: the last thing said.
 * finalAnswer(buildTraceView({ ...ended('Weather in Paris?', steps, 'unused'), end: undefined })) // → 'The weather in Paris is sunny, 18 °C.'
 */
export function finalAnswer(view: TraceView): string {
  const output = view.trace.end?.output
  if (output !== undefined) return jsonText(output)
  return [...view.steps].reverse().find((step) => step.text.trim())?.text ?? ''
}

function verifies(step: TraceStep): boolean {
  if (step.actions.some((action) => CHECKING_TOOL.test(toolWords(action.name)) || VERIFICATION.test(`${toolWords(action.name)} ${jsonText(action.args)}`))) return true
  if (!VERIFICATION.test(step.text)) return false
  // A request to another agent, a verifier's own report, or a check reported as done
  // ("not yet verified" is the opposite).
  if (step.to !== undefined || /verif|review|critic|check|test/i.test(`${step.agent} ${step.role ?? ''}`)) return true
  for (const match of step.text.matchAll(CHECK_DONE)) {
    const before = step.text.slice(Math.max(0, match.index - 40), match.index)
    if (!/\b(?:not|no|never|yet|without|unable|un)\b[^.;:]*$|n't\b[^.;:]*$/i.test(before)) return true
  }
  return false
}

/**
 * The first step before the last that holds the answer: all its numbers, dates and ids (by
 * value) and most (80 %) of its content words.
 */
function answerAppearance(view: TraceView, answer: string, last: TraceStep): number | undefined {
  const values = extractCriticalTokens(answer)
    .filter((token) => token.kind !== 'negation' && token.kind !== 'quoted')
    .map((token) => `${token.kind}:${token.value}`)
  const words = new Set(contentWords(answer).filter((word) => !/\d/.test(word)))
  if (!values.length && !words.size) return undefined
  for (const step of view.steps) {
    if (step.index >= last.index || step.text === view.task) continue
    const haystack = [step.text, ...step.actions.map((action) => plainText(action.observation))].join('\n')
    if (values.length) {
      const found = new Set(extractCriticalTokens(haystack).map((token) => `${token.kind}:${token.value}`))
      if (!values.every((value) => found.has(value))) continue
    }
    if (words.size) {
      const present = new Set(contentWords(haystack))
      if ([...words].filter((word) => present.has(word)).length < 0.8 * words.size) continue
    }
    return step.index
  }
  return undefined
}

/** An observation's text: the strings of a JSON result (so "$1.08" inside a JSON string is found), else the text itself. */
function plainText(observation: string | undefined): string {
  if (!observation) return ''
  try {
    return jsonText(JSON.parse(observation) as JsonValue)
  } catch {
    return observation
  }
}

/** `verifyTotal`, `verify_total` → `verify Total`, `verify total`: so a tool's name reads as words. */
function toolWords(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_\-.]+/g, ' ')
}

/** The last step that did or said something (a run's end bookkeeping has no text and no action). */
function lastWorkingStep(view: TraceView): TraceStep | undefined {
  return [...view.steps].reverse().find((step) => step.text.trim() || step.actions.length || step.failed)
}
