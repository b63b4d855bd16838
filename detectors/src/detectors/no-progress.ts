import type { Flag } from '../flags/flag.ts'
import { quote } from '../trace/json-text.ts'
import type { TextSimilarity } from '../trace/text-similarity.ts'
import type { StepAction } from '../trace/trace-view.ts'
import { detectorFlag, type DetectorContext } from './detector-context.ts'

/**
 * No progress (MAST 1.5 unaware of termination conditions): an agent's actions change while
 * the state they observe does not — `minRepeats` (3) or more consecutive actions of one
 * agent, at least two of them different, whose results are the same (equal text, or
 * `compareTexts` similarity ≥ 0.95). Repeating one identical call is a loop, not this.
 *
 * The decisive step is the first action that left the state as it was.
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
 * const page = { url: 'https://vendor.example.com/pricing', visiblePlans: ['Free', 'Team'] }
 * const trace = ended('Find the price of the Pro plan on the vendor site.', [
 *   tool('browser', 'open', { url: page.url }, page),
 *   tool('browser', 'click', { target: 'Show all plans' }, page),
 *   tool('browser', 'scroll', { direction: 'down' }, page),
 *   tool('browser', 'click', { target: 'Compare plans' }, page),
 * ], 'The Pro plan costs $49 per month.')
 * const view = buildTraceView(trace)
 * const context = { view, texts: createTextSimilarity(view.steps.map((step) => step.text)), options: resolveDetectOptions() }
 * detectNoProgress(context).map((flag) => [flag.kind, flag.agent]) // → [['no-progress', 'browser']]
 */
export function detectNoProgress({ view, texts, options }: DetectorContext): Flag[] {
  const flags: Flag[] = []
  for (const agent of view.agents) {
    const actions = view.steps.filter((step) => step.agent === agent).flatMap((step) => step.actions.filter((action) => action.observation !== undefined))
    let start = 0
    for (let i = 1; i <= actions.length; i++) {
      const unchanged = i < actions.length && sameState(actions[i - 1]!.observation!, actions[i]!.observation!, texts)
      if (unchanged) continue
      const run = actions.slice(start, i)
      start = i
      if (run.length < options.minRepeats || new Set(run.map((action) => action.key)).size < 2) continue
      flags.push(
        detectorFlag('no-progress', {
          agent,
          spanIds: [run[1]!.spanId, ...run.map((action) => action.spanId)],
          message: `${agent} took ${run.length} different actions (${describe(run)}) and the state it observed did not change.`,
          evidence: [quote(run[0]!.observation!, 160), ...run.slice(1, 3).map((action) => quote(`${action.name} ${JSON.stringify(action.args ?? null)}`, 120))],
          confidence: Math.min(0.9, 0.7 + 0.05 * (run.length - options.minRepeats)),
        }),
      )
    }
  }
  return flags
}

const STATE_SIMILARITY = 0.95

function sameState(a: string, b: string, texts: TextSimilarity): boolean {
  const x = a.replace(/\s+/g, ' ').trim()
  const y = b.replace(/\s+/g, ' ').trim()
  return x === y || texts.atLeast(x, y, STATE_SIMILARITY)
}

function describe(run: readonly StepAction[]): string {
  const names = [...new Set(run.map((action) => action.name))]
  return names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : names.join(', ')
}
