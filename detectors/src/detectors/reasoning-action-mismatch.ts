import type { JsonValue } from '@retrace/cassettes'
import { extractCriticalTokens, type CriticalToken } from '@retrace/divergence'
import type { Flag } from '../flags/flag.ts'
import { quote } from '../trace/json-text.ts'
import type { StepAction, TraceStep } from '../trace/trace-view.ts'
import { detectorFlag, type DetectorContext } from './detector-context.ts'

// A sentence states an intent when it speaks of what the agent is about to do.
const INTENT_CUE = /\b(?:i will|i'll|i am going to|i'm going to|let me|let's|i need to|i should|i plan to|i intend to|i want to|next,? i|now i|i must|we will|we'll|we need to|we should|plan:|next step)\b/i
const NEGATED = /\b(?:not|never|avoid|without|won't|shouldn't|mustn't|don't|do not|will not|must not|should not)\b/i
// Token kinds that name a value an argument can hold.
const VALUE_KINDS = new Set<CriticalToken['kind']>(['quoted', 'number', 'date', 'url', 'email', 'id'])

interface Intent {
  step: TraceStep
  sentence: string
  /** Tools or agents the sentence says the agent will use / hand to. */
  targets: string[]
  /** Tools or agents the sentence says the agent will not use. */
  avoided: string[]
  values: CriticalToken[]
}

/**
 * Reasoning–action mismatch (MAST 2.6): an agent states what it is about to do — a tool, an
 * agent to hand to, a value — and its next action contradicts it:
 * - it names a tool ("I'll call search_flights") and calls another one;
 * - it names a value for the tool ("… for 'Paris'") and calls that tool with another value of
 *   the same kind and not the one it named;
 * - it says it will not use a tool ("I won't call delete_file") and calls it;
 * - it names the agent it will hand to ("I'll ask the reviewer") and addresses another one.
 *
 * An intent is a sentence of the agent's text or reasoning with a first-person or plan cue
 * ("I will", "let me", "next step", …). The decisive step is the contradicting action.
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
 * const trace = ended('Ship the hotfix for the login bug.', [
 *   message('lead', 'The patch is ready. I will ask the reviewer to check the diff before anything else.'),
 *   message('lead', 'Please deploy the login hotfix to production now.', 'deployer'),
 *   message('deployer', 'Deployed the login hotfix; I verified the login page works in production.'),
 *   message('reviewer', 'Nobody asked me to review anything.'),
 * ], 'The login hotfix is live.')
 * const view = buildTraceView(trace)
 * const context = { view, texts: createTextSimilarity(view.steps.map((step) => step.text)), options: resolveDetectOptions() }
 * detectReasoningActionMismatch(context).map((flag) => [flag.kind, flag.agent]) // → [['reasoning-action-mismatch', 'lead']]
 */
export function detectReasoningActionMismatch({ view }: DetectorContext): Flag[] {
  const tools = new Set(view.steps.flatMap((step) => step.actions.map((action) => action.name)))
  for (const span of view.trace.spans) for (const tool of span.step?.tools ?? []) tools.add(tool.name)
  const agents = new Set(view.agents)
  const flags: Flag[] = []
  const pending = new Map<string, Intent>()
  for (const step of view.steps) {
    const intent = intentOf(step, tools, agents)
    const active = intent ?? pending.get(step.agent)
    if (intent) pending.set(step.agent, intent)
    if (!active) continue
    const handedTo = step.to && step.to !== step.agent ? step.to : undefined
    if (step.actions.length === 0 && !handedTo) continue
    pending.delete(step.agent)
    const flag = contradiction(active, step, handedTo, tools)
    if (flag) flags.push(flag)
  }
  return flags
}

function contradiction(intent: Intent, step: TraceStep, handedTo: string | undefined, tools: ReadonlySet<string>): Flag | undefined {
  const said = quote(intent.sentence, 160)
  const base = { agent: step.agent }
  const avoided = step.actions.find((action) => intent.avoided.includes(action.name))
  if (avoided) {
    return detectorFlag('reasoning-action-mismatch', {
      ...base,
      spanIds: [avoided.spanId, intent.step.spanId],
      message: `${step.agent} said it would not use ${avoided.name}, then called it.`,
      evidence: [said, quote(callText(avoided), 120)],
      confidence: 0.85,
    })
  }
  const toolTargets = intent.targets.filter((target) => tools.has(target))
  if (toolTargets.length && step.actions.length && !step.actions.some((action) => toolTargets.includes(action.name))) {
    const action = step.actions[0]!
    return detectorFlag('reasoning-action-mismatch', {
      ...base,
      spanIds: [action.spanId, intent.step.spanId],
      message: `${step.agent} said it would use ${toolTargets.join(' or ')}, then called ${action.name}.`,
      evidence: [said, quote(callText(action), 120)],
      confidence: 0.8,
    })
  }
  for (const action of step.actions.filter((candidate) => toolTargets.includes(candidate.name))) {
    const conflict = valueConflict(intent.values, action.args)
    if (conflict) {
      return detectorFlag('reasoning-action-mismatch', {
        ...base,
        spanIds: [action.spanId, intent.step.spanId],
        message: `${step.agent} said it would use ${conflict.intended} with ${action.name}, then called it with ${conflict.used}.`,
        evidence: [said, quote(callText(action), 120)],
        confidence: 0.75,
      })
    }
  }
  const agentTargets = intent.targets.filter((target) => !tools.has(target))
  if (handedTo && agentTargets.length && !agentTargets.includes(handedTo)) {
    return detectorFlag('reasoning-action-mismatch', {
      ...base,
      spanIds: [step.spanId, intent.step.spanId],
      message: `${step.agent} said it would hand over to ${agentTargets.join(' or ')}, then addressed ${handedTo}.`,
      evidence: [said, quote(step.text || `→ ${handedTo}`, 120)],
      confidence: 0.7,
    })
  }
  return undefined
}

function intentOf(step: TraceStep, tools: ReadonlySet<string>, agents: ReadonlySet<string>): Intent | undefined {
  const text = [step.reasoning, step.text].filter(Boolean).join('\n')
  if (!text) return undefined
  for (const sentence of sentences(text)) {
    if (!INTENT_CUE.test(sentence)) continue
    const targets: string[] = []
    const avoided: string[] = []
    for (const name of [...tools, ...[...agents].filter((agent) => agent !== step.agent)]) {
      const at = mentionAt(sentence, name)
      if (at < 0) continue
      // "I won't call delete_file": the negation comes before the name, in the same clause.
      if (NEGATED.test(sentence.slice(0, at).split(/[,;:]|\b(?:but|then|and then|instead)\b/).at(-1) ?? '')) avoided.push(name)
      else targets.push(name)
    }
    if (targets.length || avoided.length) {
      return { step, sentence, targets, avoided, values: extractCriticalTokens(sentence).filter((token) => VALUE_KINDS.has(token.kind)) }
    }
  }
  return undefined
}

/** A value the intent named that the call replaced by another of the same kind. */
function valueConflict(values: readonly CriticalToken[], args: JsonValue | undefined): { intended: string; used: string } | undefined {
  if (!values.length || args === undefined) return undefined
  const leaves = leafStrings(args)
  const argText = leaves.join('\n').toLowerCase()
  const argTokens = extractCriticalTokens(leaves.join('\n'))
  for (const kind of new Set(values.map((value) => value.kind))) {
    const named = values.filter((value) => value.kind === kind)
    if (named.some((value) => argText.includes(value.value.toLowerCase()) || argText.includes(value.text.toLowerCase().replace(/^["'“‘`]|["'”’`]$/g, '')))) continue
    // A quoted value may be any string argument; other kinds must be found as the same kind.
    const used = kind === 'quoted' ? leaves.find((leaf) => typeof leaf === 'string' && leaf.trim().length > 0) : argTokens.find((token) => token.kind === kind)?.text
    if (used !== undefined) return { intended: named.map((value) => value.text).join(', '), used: JSON.stringify(used) }
  }
  return undefined
}

function leafStrings(value: JsonValue): string[] {
  if (value === null) return []
  if (typeof value !== 'object') return [String(value)]
  return (Array.isArray(value) ? value : Object.values(value)).flatMap((item) => leafStrings(item))
}

function mentionAt(sentence: string, name: string): number {
  if (name.length < 3) return -1
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const match = new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'i').exec(sentence)
  return match ? match.index : -1
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter(Boolean)
}

function callText(action: StepAction): string {
  return `${action.name}(${action.args === undefined ? '' : JSON.stringify(action.args)})`
}
