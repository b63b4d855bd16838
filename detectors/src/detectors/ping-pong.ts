import type { Flag } from '../flags/flag.ts'
import { quote } from '../trace/json-text.ts'
import type { TraceStep } from '../trace/trace-view.ts'
import { detectorFlag, type DetectorContext } from './detector-context.ts'

/** A run of consecutive steps by one agent. */
interface Turn {
  agent: string
  steps: TraceStep[]
  /** What each step left behind: its tools' results when it had any, else its message. */
  states: string[]
}

/**
 * Ping-pong (MAST 1.3 step repetition, across agents): agents hand work back and forth
 * without progress — a cycle of 2 to 4 turns of at least two agents (A→B→A→B…) repeats
 * `minRepeats` (3) times in a row while each cycle leaves the same state as the one before
 * (`compareTexts` similarity ≥ `similarThreshold`). A conversation that alternates but moves
 * on is not flagged.
 *
 * The decisive step is the first turn of the second cycle: where the work was handed back
 * unchanged.
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
 * const draft = 'Here is the draft: The Aurora desk lamp brings soft, adjustable light to any workspace. Its slim arm folds flat when you are done.'
 * const review = 'The intro is too generic; please rewrite the first sentence and send it back to me.'
 * const trace = ended('Write a two-sentence product description for the Aurora desk lamp.', [
 *   ...[1, 2, 3].flatMap(() => [message('writer', draft, 'reviewer'), message('reviewer', review, 'writer')]),
 * ], draft)
 * const view = buildTraceView(trace)
 * const context = { view, texts: createTextSimilarity(view.steps.map((step) => step.text)), options: resolveDetectOptions() }
 * detectPingPong(context).map((flag) => [flag.kind, flag.agent]) // → [['ping-pong', 'writer']]
 */
export function detectPingPong({ view, texts, options }: DetectorContext): Flag[] {
  const turns = turnsOf(view.steps)
  const flags: Flag[] = []
  let t = 0
  while (t < turns.length) {
    const found = cycleAt(turns, t, options.minRepeats, (a, b) => texts.atLeast(a, b, options.similarThreshold))
    if (!found) {
      t++
      continue
    }
    const { length, cycles } = found
    const involved = turns.slice(t, t + length * cycles)
    const handedBack = turns[t + length]!
    const agents = [...new Set(involved.map((turn) => turn.agent))]
    flags.push(
      detectorFlag('ping-pong', {
        agent: handedBack.agent,
        spanIds: [handedBack.steps[0]!.spanId, ...involved.flatMap((turn) => turn.steps.map((step) => step.spanId))],
        message: `${agents.join(' and ')} handed the work back and forth ${cycles} times (${involved
          .slice(0, length)
          .map((turn) => turn.agent)
          .join(' → ')} → …) and nothing changed between rounds.`,
        evidence: involved.slice(0, length * 2).map((turn) => `${turn.agent}: ${quote(turnText(turn), 120)}`),
        confidence: Math.min(0.9, 0.75 + 0.05 * (cycles - options.minRepeats)),
      }),
    )
    t += length * cycles
  }
  return flags
}

/** The smallest cycle of 2–4 turns starting at `t` that repeats unchanged at least `minCycles` times. */
function cycleAt(turns: readonly Turn[], t: number, minCycles: number, same: (a: string, b: string) => boolean): { length: number; cycles: number } | undefined {
  for (let length = 2; length <= 4; length++) {
    const pattern = turns.slice(t, t + length).map((turn) => turn.agent)
    if (pattern.length < length || new Set(pattern).size < 2) continue
    let cycles = 1
    for (;;) {
      const next = t + cycles * length
      const previous = next - length
      if (next + length > turns.length) break
      let repeats = true
      for (let k = 0; k < length && repeats; k++) {
        repeats = turns[next + k]!.agent === pattern[k] && repeated(turns[previous + k]!, turns[next + k]!, same)
      }
      if (!repeats) break
      cycles++
    }
    if (cycles >= minCycles) return { length, cycles }
  }
  return undefined
}

/** A turn repeats an earlier one when each thing the earlier one left behind is there again (a turn may add a step). */
function repeated(earlier: Turn, later: Turn, same: (a: string, b: string) => boolean): boolean {
  return earlier.states.every((state) => later.states.some((candidate) => same(state, candidate)))
}

function turnsOf(steps: readonly TraceStep[]): Turn[] {
  const turns: Array<{ agent: string; steps: TraceStep[] }> = []
  for (const step of steps) {
    const last = turns.at(-1)
    if (last && last.agent === step.agent) last.steps.push(step)
    else turns.push({ agent: step.agent, steps: [step] })
  }
  return turns.map((turn) => ({
    ...turn,
    states: turn.steps.map((step) => (step.actions.length ? step.actions.map((action) => action.observation ?? action.key).join('\n') : step.text)),
  }))
}

function turnText(turn: Turn): string {
  return turn.steps.map((step) => step.text || step.actions.map((action) => action.name).join(', ')).join(' ')
}
