import { randomUUID } from 'node:crypto'
import { canonicalJson, type Interaction, type JsonValue, type Step } from '@retrace/cassettes'
import { createRedactor, type Redaction } from '../../redaction/redactor.ts'
import { extractStep } from '../../steps/extract-step.ts'
import { stepToolCalls } from '../../steps/step-output.ts'
import { storedStepOf } from '../../steps/stored-step.ts'
import type { ErrorInfo, SpanAgent, SpanForkPoint, WireEvent, WireSpan, WireTraceEnd } from '@retrace/protocol'
import { prepareEvent, type ContentPolicy } from '../content/event-content.ts'
import { capturePayload } from './payload.ts'
import type { TraceScope } from './trace-scope.ts'

/** How a trace was started (the options of `record()`, resolved). */
export interface TraceOptions {
  id?: string
  name: string
  input: unknown
  sessionId?: string
  tags?: string[]
  metadata?: Record<string, JsonValue>
  resumable?: boolean
  fork?: { forkOf: string; forkPointStep: number; forkId: string }
  /** The module and export that produced the run, for `writeGoldenCassette`. */
  entry?: { module: string; export: string }
  sampled: boolean
  maxPayloadChars: number
  projectId?: string
  /** What may leave the process (`configure({ mask, captureContent, onError })`); secrets are always masked. */
  content?: ContentPolicy
}

const DEFAULT_CONTENT: ContentPolicy = { mask: undefined, captureContent: true, onError: () => {} }

/** A span being timed; `end` records it once. */
export interface OpenSpan {
  readonly id: string
  end(outcome: { output?: unknown } | { error: unknown }): void
}

/** Running totals of a trace, checked by the enforcement gate before each LLM call. */
export interface RunTotals {
  steps: number
  inputTokens: number
  outputTokens: number
  usd: number
}

interface PendingToolCall {
  name: string
  arguments: JsonValue
  parentSpanId: string
  covered: boolean
}

/**
 * One recorded run, while it runs and after: its spans (a tree, by `parentId`), the raw
 * interactions behind its LLM calls, running totals, and the events it sends. Created by
 * `record()`; read by `writeGoldenCassette` and the resume logic.
 *
 * @example
 * import type { WireEvent } from '@retrace/protocol'
 * const sent: WireEvent[] = []
 * const trace = new ActiveTrace({ name: 'weather', input: 'Paris', sampled: true, maxPayloadChars: 10_000 }, (event) => sent.push(event))
 * trace.status // → 'running'
 * sent[0]?.type === 'trace.start' && sent[0].trace.input // → 'Paris'
 */
export class ActiveTrace {
  readonly id: string
  readonly options: TraceOptions
  readonly startedAt = new Date()
  readonly spans: WireSpan[] = []
  readonly interactions: Interaction[] = []
  readonly totals: RunTotals = { steps: 0, inputTokens: 0, outputTokens: 0, usd: 0 }
  status: 'running' | 'completed' | 'failed' = 'running'
  result: unknown
  error: ErrorInfo | undefined
  lossy = false
  truncated = false
  readonly #startedAtMs = performance.now()
  readonly #emit: (event: WireEvent) => void
  /** (tool name, canonical arguments) → how many times the model asked for it. */
  readonly #toolCallCounts = new Map<string, number>()
  readonly #pendingToolCalls = new Map<string, PendingToolCall>()
  /** `tool()` calls started so far: the `toolCall` of a span's fork point. */
  #toolCallsStarted = 0
  /** Redacts the interactions sent with LLM spans, as a cassette of this run would be (secrets learned per run). */
  #redaction: Redaction | undefined
  #endedAtMs: number | undefined

  constructor(options: TraceOptions, emit: (event: WireEvent) => void) {
    this.id = options.id ?? randomUUID()
    this.options = options
    this.#emit = options.sampled ? (event) => this.#send(event, emit) : () => {}
    const input = capturePayload(options.input, options.maxPayloadChars)
    if (input.truncated) this.truncated = true
    this.#emit({
      type: 'trace.start',
      id: `${this.id}:start`,
      trace: {
        id: this.id,
        name: options.name,
        startedAt: this.startedAt.toISOString(),
        ...(options.projectId ? { projectId: options.projectId } : {}),
        ...(options.sessionId ? { sessionId: options.sessionId } : {}),
        ...(options.tags?.length ? { tags: options.tags } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
        ...(input.value !== undefined ? { input: input.value } : {}),
        ...(options.resumable ? { resumable: true } : {}),
        ...(options.fork ? { forkOf: options.fork.forkOf, forkPointStep: options.fork.forkPointStep, forkId: options.fork.forkId } : {}),
      },
    })
  }

  get name(): string {
    return this.options.name
  }

  /**
   * Sends an event once its content is safe to leave the process (see `prepareEvent`). A
   * mask that throws costs the event, never the agent: the trace is marked lossy and the
   * error goes to `onError`.
   */
  #send(event: WireEvent, emit: (event: WireEvent) => void): void {
    const policy = this.options.content ?? DEFAULT_CONTENT
    const prepared = prepareEvent(event, policy, this.options.name)
    if ('event' in prepared) {
      emit(prepared.event)
      return
    }
    this.lossy = true
    try {
      policy.onError(prepared.error)
    } catch {
      // An onError that throws must not reach the agent either.
    }
    if (prepared.fallback) emit(prepared.fallback)
  }

  get durationMs(): number {
    return (this.#endedAtMs ?? performance.now()) - this.#startedAtMs
  }

  /** How often the model asked for the most repeated (tool, arguments) pair, and which. */
  mostRepeatedToolCall(): { key: string; count: number } | undefined {
    let best: { key: string; count: number } | undefined
    for (const [key, count] of this.#toolCallCounts) if (!best || count > best.count) best = { key, count }
    return best
  }

  /**
   * Starts a span under the scope's current span, tagged with its agent.
   *
   * @example
   * import type { WireEvent } from '@retrace/protocol'
   * const sent: WireEvent[] = []
   * const trace = new ActiveTrace({ name: 'weather', input: 'Paris', sampled: true, maxPayloadChars: 10_000 }, (event) => sent.push(event))
   * const span = trace.startSpan('tool', 'get_weather', { spanId: undefined, agent: undefined }, { city: 'Paris' })
   * span.end({ output: { sky: 'sunny' } })
   * trace.spans.map((item) => [item.name, item.output]) // → [['get_weather', { sky: 'sunny' }]]
   * sent.map((event) => event.type) // → ['trace.start', 'span']
   */
  startSpan(kind: WireSpan['kind'], name: string, scope: Pick<TraceScope, 'spanId' | 'agent'>, input?: unknown, extra: Partial<WireSpan> = {}): OpenSpan {
    const id = randomUUID()
    const started = new Date()
    const startedMs = performance.now()
    // Where a fork at this span starts: counted now, when the span begins (PROTOCOL.md §8).
    const forkPoint: SpanForkPoint = { step: this.totals.steps + 1, toolCall: kind === 'tool' ? ++this.#toolCallsStarted : this.#toolCallsStarted + 1 }
    let ended = false
    return {
      id,
      end: (outcome) => {
        if (ended) return
        ended = true
        const failed = 'error' in outcome
        this.#finishSpan({
          id,
          kind: failed && kind === 'span' ? 'error' : kind,
          name,
          startedAt: started.toISOString(),
          endedAt: new Date().toISOString(),
          durationMs: performance.now() - startedMs,
          parentId: scope.spanId,
          agent: scope.agent,
          input,
          ...(failed ? { error: errorInfo(outcome.error) } : { output: outcome.output }),
          extra: { forkPoint, ...extra },
        })
      },
    }
  }

  /**
   * Marks the model's pending tool call that a `tool()` wrapper is now running (same name and
   * arguments), so it is not reported a second time from the messages. Returns its call id.
   */
  claimToolCall(name: string, args: JsonValue): string | undefined {
    const key = canonicalJson(args)
    for (const [id, pending] of this.#pendingToolCalls) {
      if (!pending.covered && pending.name === name && canonicalJson(pending.arguments) === key) {
        pending.covered = true
        return id
      }
    }
    return undefined
  }

  /**
   * Takes in one completed HTTP exchange made inside the run: an LLM call becomes an `llm`
   * span with its provider-neutral step (totals and the loop count follow), tool calls the
   * model made and whose results come back in this request become `tool` spans unless a
   * `tool()` wrapper already reported them, and a failed call becomes an `error` span.
   * Returns whether it was an LLM call. `replayed` marks a call a fork served from its parent
   * run (no provider call).
   */
  addInteraction(interaction: Interaction, scope: Pick<TraceScope, 'spanId' | 'agent'>, options: { replayed?: boolean } = {}): boolean {
    this.interactions.push(interaction)
    const step = extractStep(interaction)
    if (!step) return false
    this.#reportToolResults(step)
    const usage = step.usage
    this.totals.steps++
    this.totals.inputTokens += usage?.inputTokens ?? 0
    this.totals.outputTokens += usage?.outputTokens ?? 0
    this.totals.usd += step.costUsd ?? 0
    const durationMs = interaction.timing?.durationMs ?? interaction.timing?.latencyMs ?? 0
    const failed = interaction.error !== undefined || (interaction.response?.status ?? 200) >= 400
    const llmSpanId = randomUUID()
    this.#finishSpan({
      id: llmSpanId,
      kind: failed ? 'error' : 'llm',
      name: step.api,
      startedAt: new Date(Date.now() - durationMs).toISOString(),
      endedAt: new Date().toISOString(),
      durationMs,
      parentId: scope.spanId,
      agent: scope.agent,
      step,
      ...(failed ? { error: { type: interaction.error?.name ?? `HTTP ${interaction.response?.status}`, message: interaction.error?.message ?? `The provider answered ${interaction.response?.status}.` } } : {}),
      extra: { forkPoint: { step: this.totals.steps }, ...(options.replayed ? { metadata: { replayed: true } } : {}), ...this.#wireInteraction(interaction, step) },
    })
    for (const call of stepToolCalls(step)) {
      const key = `${call.name} ${canonicalJson(call.arguments)}`
      this.#toolCallCounts.set(key, (this.#toolCallCounts.get(key) ?? 0) + 1)
      if (call.id) this.#pendingToolCalls.set(call.id, { name: call.name, arguments: call.arguments, parentSpanId: llmSpanId, covered: false })
    }
    return true
  }

  /**
   * The exchange as a cassette would store it (redacted, with its stored step), for the LLM
   * span: only when content may leave the process and it fits the payload cap (a cut
   * exchange could not be replayed, so a larger one is left out and the span marked truncated).
   */
  #wireInteraction(interaction: Interaction, step: Step): Pick<WireSpan, 'interaction' | 'truncated'> {
    if (!(this.options.content ?? DEFAULT_CONTENT).captureContent) return {}
    const redacted = (this.#redaction ??= createRedactor([])).interaction(interaction)
    const stored: Interaction = {
      request: redacted.request,
      ...(redacted.response ? { response: redacted.response } : {}),
      ...(redacted.error ? { error: redacted.error } : {}),
      // From the redacted exchange, as a cassette stores it: a secret in a reply stays masked.
      step: storedStepOf(extractStep(redacted) ?? step),
      ...(redacted.timing ? { timing: redacted.timing } : {}),
    }
    if (JSON.stringify(stored).length > this.options.maxPayloadChars) {
      this.truncated = true
      return { truncated: true }
    }
    return { interaction: stored }
  }

  /** Tool results sent back to the model close the tool calls nobody wrapped with `tool()`. */
  #reportToolResults(step: Step): void {
    for (const message of step.input) {
      for (const part of message.parts) {
        if (part.type !== 'tool_call_response' || !part.id) continue
        const pending = this.#pendingToolCalls.get(part.id)
        if (!pending) continue
        this.#pendingToolCalls.delete(part.id)
        if (pending.covered) continue
        const now = new Date().toISOString()
        this.#finishSpan({
          id: randomUUID(),
          kind: 'tool',
          name: pending.name,
          startedAt: now,
          endedAt: now,
          durationMs: 0,
          parentId: pending.parentSpanId,
          agent: undefined,
          input: pending.arguments,
          output: part.response,
          extra: { toolCallId: part.id, metadata: { source: 'provider-messages' }, forkPoint: { step: this.totals.steps + 1 } },
        })
      }
    }
  }

  #finishSpan(span: {
    id: string
    kind: WireSpan['kind']
    name: string
    startedAt: string
    endedAt: string
    durationMs: number
    parentId: string | undefined
    agent: SpanAgent | undefined
    input?: unknown
    output?: unknown
    error?: ErrorInfo
    step?: Step
    extra: Partial<WireSpan>
  }): void {
    const input = capturePayload(span.input, this.options.maxPayloadChars)
    const output = capturePayload(span.output, this.options.maxPayloadChars)
    const truncated = input.truncated || output.truncated
    if (truncated) this.truncated = true
    const wire: WireSpan = {
      id: span.id,
      traceId: this.id,
      kind: span.kind,
      name: span.name,
      startedAt: span.startedAt,
      endedAt: span.endedAt,
      durationMs: Math.max(0, span.durationMs),
      status: span.error ? 'error' : 'ok',
      ...(span.parentId ? { parentId: span.parentId } : {}),
      ...(span.agent ? { agent: span.agent } : {}),
      ...(input.value !== undefined ? { input: input.value } : {}),
      ...(output.value !== undefined ? { output: output.value } : {}),
      ...(span.error ? { error: span.error } : {}),
      ...(span.step ? { step: span.step } : {}),
      ...(truncated ? { truncated: true } : {}),
      ...span.extra,
    }
    this.spans.push(wire)
    this.#emit({ type: 'span', id: wire.id, span: wire })
  }

  /**
   * Ends the run once: status, output or error, totals, and the lossy / terminated-early
   * flags, sent as the trace's last event.
   */
  finish(outcome: { result: unknown } | { error: unknown }, flags: { terminatedEarly?: boolean; lossy?: boolean } = {}): void {
    if (this.status !== 'running') return
    this.#endedAtMs = performance.now()
    if (flags.lossy) this.lossy = true
    let end: WireTraceEnd
    const totals = { inputTokens: this.totals.inputTokens, outputTokens: this.totals.outputTokens, usd: this.totals.usd, durationMs: this.durationMs }
    if ('error' in outcome) {
      this.status = 'failed'
      this.error = errorInfo(outcome.error)
      end = { id: this.id, endedAt: new Date().toISOString(), status: 'failed', error: this.error, totals }
    } else {
      this.status = 'completed'
      this.result = outcome.result
      const output = capturePayload(outcome.result, this.options.maxPayloadChars)
      if (output.truncated) this.truncated = true
      end = { id: this.id, endedAt: new Date().toISOString(), status: 'completed', ...(output.value !== undefined ? { output: output.value } : {}), totals }
    }
    if (flags.terminatedEarly) end.terminatedEarly = true
    if (this.lossy) end.lossy = true
    if (this.truncated) end.truncated = true
    this.#emit({ type: 'trace.end', id: `${this.id}:end`, trace: end })
  }
}

/**
 * An error as the wire carries it: its class name (`type`) and message, nothing dropped.
 *
 * @example
 * errorInfo(new RangeError('too far')) // → { type: 'RangeError', message: 'too far' }
 * errorInfo('plain') // → { type: 'string', message: 'plain' }
 */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) return { type: error.name || error.constructor.name, message: error.message }
  return { type: typeof error, message: typeof error === 'string' ? error : JSON.stringify(capturePayload(error, 10_000).value) }
}
