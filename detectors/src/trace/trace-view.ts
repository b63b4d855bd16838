import { canonicalJson, type JsonValue, type Message, type Step } from '@retrace/cassettes'
import type { WireSpan } from '@retrace/protocol'
import type { DetectorTrace } from './detector-trace.ts'
import { jsonText, observationText } from './json-text.ts'

/** The agent of spans no agent span encloses and that carry no agent tag. */
export const UNKNOWN_AGENT = 'unknown'

/** One action an agent took: a tool call (from a tool span, or asked for by a model). */
export interface StepAction {
  name: string
  args: JsonValue | undefined
  /** Name plus canonical arguments: two calls with equal keys are the same call. */
  key: string
  /** The span that ran it (a tool span), else the llm span that asked for it. */
  spanId: string
  /** What it returned (or its error), as text; undefined when the trace does not say. */
  observation: string | undefined
}

/** One step of the trace in time order, as the detectors see it. */
export interface TraceStep {
  /** 0-based position among the steps. */
  index: number
  spanId: string
  kind: WireSpan['kind']
  agent: string
  role: string | undefined
  /** What the agent said: a message's text, a model's output text. */
  text: string
  /** A model's reasoning parts, when it returned them. */
  reasoning: string
  actions: StepAction[]
  /** The agent this step is addressed to (`metadata.to`), when the span names one. */
  to: string | undefined
  failed: boolean
}

/** A trace flattened into steps, plus what several detectors need. */
export interface TraceView {
  trace: DetectorTrace
  /** The task the agents were given: the option, the trace input, else the first user message. */
  task: string | undefined
  steps: TraceStep[]
  /** Agents in order of first appearance. */
  agents: string[]
  spanById: ReadonlyMap<string, WireSpan>
  /** Each span's agent (its own tag, else the nearest tagged ancestor's). */
  agentOf(spanId: string): string
}

/**
 * Flattens a trace into steps in time order. A leaf span is placed at its start; an agent
 * span with children (a whole agent call) at its end, where its result comes back. A tool
 * span that answers a model's tool call (same `toolCallId`) becomes that call's observation
 * instead of a step of its own.
 *
 * @example
 * let clock = 0
 * const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 9, 0, second)).toISOString()
 * const span = (fields: object) => ({ id: `s${++clock}`, traceId: 't1', startedAt: at(clock), endedAt: at(clock), durationMs: 0, status: 'ok' as const, ...fields })
 * const message = (agent: string, output: string, to?: string) => span({ kind: 'agent', name: agent, agent: { id: agent }, output, ...(to ? { metadata: { to } } : {}) })
 * const tool = (agent: string, name: string, input: unknown, output: unknown) => span({ kind: 'tool', name, agent: { id: agent }, input, output })
 * const ended = (task: string, spans: object[], output: unknown) => ({ trace: { id: 't1', name: 'run', startedAt: at(0), input: task }, spans, end: { id: 't1', endedAt: at(99), status: 'completed' as const, output, totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 99_000 } } })
 * const view = buildTraceView(ended('Find a flight to Rome.', [
 *   message('planner', 'Search flights to Rome for next Friday.', 'searcher'),
 *   tool('searcher', 'search_flights', { to: 'Rome' }, { flights: 3 }),
 * ], 'The cheapest flight is €89.'))
 * view.steps.map((step) => `${step.agent}: ${step.text}`) // → ['planner: Search flights to Rome for next Friday.', 'searcher: ']
 * view.steps[1]?.actions.map((action) => action.key) // → ['search_flights({"to":"Rome"})']
 * view.agents // → ['planner', 'searcher']
 */
export function buildTraceView(trace: DetectorTrace, options: { task?: string } = {}): TraceView {
  const spanById = new Map(trace.spans.map((span) => [span.id, span]))
  const children = new Map<string, number>()
  for (const span of trace.spans) if (span.parentId) children.set(span.parentId, (children.get(span.parentId) ?? 0) + 1)
  const agentCache = new Map<string, WireSpan['agent']>()
  const agentTagOf = (span: WireSpan): WireSpan['agent'] => {
    if (agentCache.has(span.id)) return agentCache.get(span.id)
    let tag = span.agent
    const seen = new Set<string>([span.id])
    for (let parent = span.parentId ? spanById.get(span.parentId) : undefined; !tag && parent && !seen.has(parent.id); parent = parent.parentId ? spanById.get(parent.parentId) : undefined) {
      seen.add(parent.id)
      tag = parent.agent
    }
    agentCache.set(span.id, tag)
    return tag
  }

  const ordered = trace.spans
    .map((span, position) => ({ span, position, start: spanTime(span.startedAt), at: children.has(span.id) && span.kind === 'agent' ? spanTime(span.endedAt) : spanTime(span.startedAt) }))
    .sort((a, b) => a.at - b.at || a.start - b.start || a.position - b.position)

  // Tool spans that answer a model's tool call are folded into that call.
  const toolSpanByCallId = new Map<string, WireSpan>()
  for (const span of trace.spans) if (span.kind === 'tool' && span.toolCallId) toolSpanByCallId.set(span.toolCallId, span)
  const responses = toolResponses(trace.spans)
  const claimed = new Set<string>()
  for (const span of trace.spans) {
    for (const part of span.step?.output ?? []) {
      const toolSpan = part.type === 'tool_call' && part.id ? toolSpanByCallId.get(part.id) : undefined
      if (toolSpan) claimed.add(toolSpan.id)
    }
  }

  const steps: TraceStep[] = []
  for (const { span } of ordered) {
    if (claimed.has(span.id)) continue
    const tag = agentTagOf(span)
    const base = {
      spanId: span.id,
      kind: span.kind,
      agent: tag?.id ?? UNKNOWN_AGENT,
      role: tag?.role,
      to: typeof span.metadata?.to === 'string' ? span.metadata.to : undefined,
      failed: span.status === 'error',
    }
    if (span.kind === 'llm' && span.step) {
      const actions = modelActions(span, span.step, toolSpanByCallId, responses)
      steps.push({ ...base, index: steps.length, text: partsText(span.step.output, 'text'), reasoning: partsText(span.step.output, 'reasoning'), actions })
    } else if (span.kind === 'tool') {
      const args = span.input
      const action: StepAction = { name: span.name, args, key: actionKey(span.name, args), spanId: span.id, observation: spanObservation(span) }
      steps.push({ ...base, index: steps.length, text: '', reasoning: '', actions: [action] })
    } else if (span.kind === 'agent' || span.kind === 'span' || span.kind === 'error') {
      // A message span carries its text as output (or as input, for a message it received
      // and only passed on); a container's output is its agent's result.
      const text = jsonText(span.output ?? (children.has(span.id) ? undefined : span.input)) || (span.error ? `${span.error.type}: ${span.error.message}` : '')
      if (!text && !base.failed) continue
      steps.push({ ...base, index: steps.length, text, reasoning: '', actions: [] })
    }
  }

  const agents: string[] = []
  for (const step of steps) if (!agents.includes(step.agent)) agents.push(step.agent)
  const task = options.task ?? (jsonText(trace.trace.input) || firstUserMessage(trace.spans))
  return {
    trace,
    task: task || undefined,
    steps,
    agents,
    spanById,
    agentOf: (spanId) => {
      const span = spanById.get(spanId)
      return (span && agentTagOf(span)?.id) ?? UNKNOWN_AGENT
    },
  }
}

/**
 * The key two calls share when they are the same call: the tool's name and its arguments as
 * canonical JSON (key order does not matter).
 *
 * @example
 * actionKey('search', { q: 'paris', page: 1 }) === actionKey('search', { page: 1, q: 'paris' }) // → true
 */
export function actionKey(name: string, args: JsonValue | undefined): string {
  return `${name}(${canonicalJson(args)})`
}

function modelActions(span: WireSpan, step: Step, toolSpans: Map<string, WireSpan>, responses: Map<string, string>): StepAction[] {
  const actions: StepAction[] = []
  for (const part of step.output) {
    if (part.type !== 'tool_call') continue
    const toolSpan = part.id ? toolSpans.get(part.id) : undefined
    actions.push({
      name: part.name,
      args: part.arguments,
      key: actionKey(part.name, part.arguments),
      spanId: toolSpan?.id ?? span.id,
      observation: toolSpan ? spanObservation(toolSpan) : part.id ? responses.get(part.id) : undefined,
    })
  }
  return actions
}

/** Tool results models were sent back (`tool_call_response` parts), by tool-call id. */
function toolResponses(spans: readonly WireSpan[]): Map<string, string> {
  const responses = new Map<string, string>()
  for (const span of spans) {
    for (const message of span.step?.input ?? []) {
      for (const part of message.parts) {
        if (part.type === 'tool_call_response' && part.id && !responses.has(part.id)) responses.set(part.id, observationText(part.response) ?? '')
      }
    }
  }
  return responses
}

function spanObservation(span: WireSpan): string | undefined {
  if (span.error) return `error: ${span.error.type}: ${span.error.message}`
  return observationText(span.output)
}

function partsText(parts: Step['output'], type: 'text' | 'reasoning'): string {
  return parts
    .filter((part) => part.type === type || (type === 'text' && part.type === 'refusal'))
    .map((part) => (part as { content: string }).content)
    .join('\n')
}

function firstUserMessage(spans: readonly WireSpan[]): string {
  const llm = spans.filter((span) => span.step).sort((a, b) => spanTime(a.startedAt) - spanTime(b.startedAt))
  const message = llm[0]?.step?.input.find((candidate: Message) => candidate.role === 'user')
  return message ? partsText(message.parts, 'text') : ''
}

/**
 * A span time in epoch milliseconds; 0 for a time that does not parse, so a bad clock never
 * throws (the spans keep their array order among themselves).
 *
 * @example
 * spanTime('1970-01-01T00:00:01.000Z') // → 1000
 * spanTime('yesterday') // → 0
 */
export function spanTime(iso: string): number {
  const value = Date.parse(iso)
  return Number.isNaN(value) ? 0 : value
}
