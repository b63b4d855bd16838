import { canonicalJson, type Cassette, type JsonValue, type Message, type MessagePart, type StoredStep, type ToolDefinition } from '@retrace/cassettes'
import { parseArguments } from '@retrace/divergence'
import { stepText, stepToolCalls } from '@retrace/core'
import { cassetteParts, type CassetteStep } from './cassette-steps.ts'

/** A message sent to the model, reduced to who said it and what. */
export interface TimelineMessage {
  role: string
  /** The message's parts as text: tool calls as `name {args}`, tool results as `name → result`. */
  text: string
}

/** A tool call the model made. */
export interface TimelineToolCall {
  name: string
  arguments: JsonValue
}

/** One LLM call. */
export interface TimelineStep {
  kind: 'step'
  /** 1-based step number, as in test failures ("step 2"). */
  step: number
  /** 0-based interaction index in the cassette. */
  interaction: number
  provider: string
  api: string
  model?: string
  streamed: boolean
  /** False when the response was cut short: output and usage are partial. */
  complete: boolean
  /** Messages new since the conversation's previous step (all of them for its first step). */
  input: TimelineMessage[]
  /** Earlier messages of the conversation, not repeated in `input`. */
  earlierMessages: number
  /** Tools offered to the model. */
  tools: ToolDefinition[]
  /** False when the same tools were offered in the conversation's previous step. */
  toolsChanged: boolean
  /** Request parameters (temperature, max tokens, …), when they differ from the conversation's previous step. */
  parameters?: Record<string, JsonValue>
  text: string
  reasoning?: string
  refusal?: string
  toolCalls: TimelineToolCall[]
  finishReason?: string
  /** HTTP status when the provider answered with an error. */
  status?: number
  inputTokens?: number
  outputTokens?: number
  costUsd?: number
  pricing?: string
  latencyMs?: number
  durationMs?: number
}

/** An HTTP interaction that is not an LLM call (a tool's API, telemetry, …). */
export interface TimelineRequest {
  kind: 'request'
  interaction: number
  method: string
  url: string
  status?: number
  /** Set when the request got no response. */
  error?: string
  latencyMs?: number
  durationMs?: number
}

export type TimelineEntry = TimelineStep | TimelineRequest

/** Sums over the whole cassette. */
export interface TimelineTotals {
  steps: number
  /** Interactions that are not LLM calls. */
  requests: number
  inputTokens: number
  outputTokens: number
  tokens: number
  costUsd: number
  /** Steps priced at the price table's conservative unknown-model rate. */
  unknownModelSteps: number
  /** Sum of every interaction's duration (wall time is shorter when calls ran in parallel). */
  durationMs: number
}

/** A cassette as a readable sequence of steps and requests: what `retrace cassette show` prints. */
export interface Timeline {
  recorder?: string
  entries: TimelineEntry[]
  totals: TimelineTotals
  /** The recorded run's outcome, when the cassette stores one. */
  run?: { result?: JsonValue; error?: { name: string; message: string }; test?: { file: string; name: string } }
}

/**
 * Reads a cassette into a timeline: each LLM step with the messages new since the previous
 * step of the same conversation, the tools offered, tool calls with arguments, text, finish
 * reason, tokens, cost and latency; every other request as one entry; and totals. Pure.
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const timeline = buildTimeline(cassette)
 * ;[timeline.totals.steps, timeline.totals.requests] // → [1, 0]
 */
export function buildTimeline(cassette: Cassette): Timeline {
  const { steps, requests } = cassetteParts(cassette)
  const entries: Array<{ index: number; entry: TimelineEntry }> = []
  const previous: CassetteStep[] = []
  // Tool results often name only the call id (OpenAI): the call that id belongs to names the tool.
  const toolNames = new Map<string, string>()
  for (const step of steps) for (const call of stepToolCalls(step.stored)) if (call.id) toolNames.set(call.id, call.name)
  steps.forEach((step, i) => {
    entries.push({ index: step.interaction, entry: timelineStep(cassette, step, i + 1, previous, toolNames) })
    previous.push(step)
  })
  for (const index of requests) entries.push({ index, entry: timelineRequest(cassette, index) })
  entries.sort((a, b) => a.index - b.index)
  const ordered = entries.map((item) => item.entry)

  const timeline: Timeline = { entries: ordered, totals: totalsOf(ordered) }
  if (cassette.meta?.recorder) timeline.recorder = cassette.meta.recorder
  if (cassette.run) {
    const run: NonNullable<Timeline['run']> = {}
    if ('result' in cassette.run && cassette.run.result !== undefined) run.result = cassette.run.result
    if (cassette.run.error) run.error = { name: cassette.run.error.name, message: cassette.run.error.message }
    if (cassette.run.test) run.test = { file: cassette.run.test.file, name: cassette.run.test.name }
    timeline.run = run
  }
  return timeline
}

function timelineStep(cassette: Cassette, step: CassetteStep, number: number, previous: readonly CassetteStep[], toolNames: ReadonlyMap<string, string>): TimelineStep {
  const interaction = cassette.interactions[step.interaction]!
  const stored: StoredStep = step.stored
  const input = step.extracted?.input ?? []
  const tools = step.extracted?.tools ?? []
  const parent = conversationParent(input, previous)
  const parentInput = parent?.extracted?.input ?? []
  let fresh = input.slice(parent ? parentInput.length : 0)
  // The assistant message that opens the new part echoes the parent's output, already shown there.
  if (parent && fresh[0]?.role === 'assistant') fresh = fresh.slice(1)
  const reasoning = stored.output.filter((part) => part.type === 'reasoning').map((part) => part.content).join('\n')
  const refusal = stored.output.filter((part) => part.type === 'refusal').map((part) => part.content).join('\n')

  const entry: TimelineStep = {
    kind: 'step',
    step: number,
    interaction: step.interaction,
    provider: stored.provider,
    api: stored.api,
    streamed: stored.streamed,
    complete: stored.complete,
    input: fresh.map((message) => messageOf(message, toolNames)),
    earlierMessages: input.length - fresh.length,
    tools,
    toolsChanged: !parent || canonicalJson(tools as unknown as JsonValue) !== canonicalJson((parent.extracted?.tools ?? []) as unknown as JsonValue),
    text: stepText(stored),
    toolCalls: stepToolCalls(stored).map((call) => ({ name: call.name, arguments: parseArguments(call.arguments) })),
  }
  const model = stored.model ?? step.extracted?.model
  if (model !== undefined) entry.model = model
  // Parameters, like tools, are shown when they change, not repeated at every step.
  const parameters = step.extracted?.parameters
  const parentParameters = parent?.extracted?.parameters
  if (parameters && Object.keys(parameters).length && (!parent || canonicalJson(parameters as JsonValue) !== canonicalJson((parentParameters ?? {}) as JsonValue))) {
    entry.parameters = parameters as Record<string, JsonValue>
  }
  if (reasoning) entry.reasoning = reasoning
  if (refusal) entry.refusal = refusal
  if (stored.finishReason !== undefined) entry.finishReason = stored.finishReason
  const status = interaction.response?.status
  if (status !== undefined && status >= 400) entry.status = status
  if (stored.usage) {
    entry.inputTokens = stored.usage.inputTokens
    entry.outputTokens = stored.usage.outputTokens
  }
  const costUsd = stored.costUsd ?? step.extracted?.costUsd
  if (costUsd !== undefined) entry.costUsd = costUsd
  const pricing = stored.pricing ?? step.extracted?.pricing
  if (pricing !== undefined) entry.pricing = pricing
  if (interaction.timing) {
    entry.latencyMs = interaction.timing.latencyMs
    if (interaction.timing.durationMs !== undefined) entry.durationMs = interaction.timing.durationMs
  }
  return entry
}

/**
 * The latest earlier step whose whole input starts this step's input: the same conversation,
 * one turn before. Searching every earlier step (not just the last) keeps interleaved
 * conversations (parallel agents) apart.
 */
function conversationParent(input: readonly Message[], previous: readonly CassetteStep[]): CassetteStep | undefined {
  const keys = input.map((message) => canonicalJson(message as unknown as JsonValue))
  for (let i = previous.length - 1; i >= 0; i--) {
    const candidate = previous[i]!.extracted?.input
    if (!candidate || candidate.length === 0 || candidate.length >= input.length) continue
    if (candidate.every((message, k) => canonicalJson(message as unknown as JsonValue) === keys[k])) return previous[i]
  }
  return undefined
}

function timelineRequest(cassette: Cassette, index: number): TimelineRequest {
  const interaction = cassette.interactions[index]!
  const entry: TimelineRequest = { kind: 'request', interaction: index, method: interaction.request.method.toUpperCase(), url: interaction.request.url }
  if (interaction.response) entry.status = interaction.response.status
  if (interaction.error) entry.error = interaction.error.message
  if (interaction.timing) {
    entry.latencyMs = interaction.timing.latencyMs
    if (interaction.timing.durationMs !== undefined) entry.durationMs = interaction.timing.durationMs
  }
  return entry
}

function messageOf(message: Message, toolNames: ReadonlyMap<string, string>): TimelineMessage {
  return { role: message.role, text: message.parts.map((part) => partText(part, toolNames)).join('\n') }
}

function partText(part: MessagePart, toolNames: ReadonlyMap<string, string>): string {
  switch (part.type) {
    case 'text':
      return part.content
    case 'reasoning':
      return `[reasoning] ${part.content}`
    case 'refusal':
      return `[refusal] ${part.content}`
    case 'tool_call':
      return `[tool call] ${part.name} ${JSON.stringify(parseArguments(part.arguments))}`
    case 'tool_call_response': {
      const response = parseArguments(part.response)
      const name = part.name ?? (part.id === undefined ? undefined : toolNames.get(part.id)) ?? 'tool'
      return `${name} → ${typeof response === 'string' ? response : JSON.stringify(response)}`
    }
    case 'blob':
      return `[${part.modality ?? 'media'}${part.mime_type ? ` ${part.mime_type}` : ''}]`
    case 'uri':
      return `[${part.modality ?? 'media'}] ${part.uri}`
  }
}

function totalsOf(entries: readonly TimelineEntry[]): TimelineTotals {
  const totals: TimelineTotals = { steps: 0, requests: 0, inputTokens: 0, outputTokens: 0, tokens: 0, costUsd: 0, unknownModelSteps: 0, durationMs: 0 }
  for (const entry of entries) {
    totals.durationMs += entry.durationMs ?? entry.latencyMs ?? 0
    if (entry.kind === 'request') {
      totals.requests++
      continue
    }
    totals.steps++
    totals.inputTokens += entry.inputTokens ?? 0
    totals.outputTokens += entry.outputTokens ?? 0
    totals.costUsd += entry.costUsd ?? 0
    if (entry.pricing === 'unknown-model') totals.unknownModelSteps++
  }
  totals.tokens = totals.inputTokens + totals.outputTokens
  // The same rounding the price table uses, so sums do not show float noise.
  totals.costUsd = Number(totals.costUsd.toPrecision(12))
  return totals
}
