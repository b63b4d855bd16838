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
 * detectNoProgress(context) // [{ kind: 'no-progress', agent: 'browser', … }]
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
