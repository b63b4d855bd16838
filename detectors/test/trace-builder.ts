import type { JsonValue } from '@retrace/cassettes'
import type { WireSpan, WireTraceEnd } from '@retrace/protocol'
import type { DetectorTrace } from '../src/index.ts'

/** A model call of `TraceBuilder.llm`. */
export interface LlmStep {
  text?: string
  reasoning?: string
  calls?: Array<{ name: string; args: JsonValue; id?: string }>
  tools?: string[]
}

/**
 * Writes small traces by hand for the detector tests and the synthetic benchmark fixtures:
 * one span per call, one second apart, ids `s1`, `s2`, …
 *
 * @example
 * const t = new TraceBuilder('Find the cheapest flight to Rome.')
 * t.message('planner', 'Search flights to Rome for next Friday.', { to: 'searcher' })
 * t.tool('searcher', 'search_flights', { to: 'Rome' }, { flights: 3 })
 * const trace = t.end('The cheapest flight is €89.')
 */
export class TraceBuilder {
  readonly spans: WireSpan[] = []
  private clock = 0

  readonly task: string
  readonly id: string

  constructor(task: string, id = 'trace-1') {
    this.task = task
    this.id = id
  }

  /** A message span of `agent` (an `agent` span whose output is the text). */
  message(agent: string, text: string, options: { to?: string; role?: string; parentId?: string } = {}): string {
    return this.push({
      kind: 'agent',
      name: agent,
      agent: this.tag(agent, options),
      output: text,
      ...(options.to ? { metadata: { to: options.to } } : {}),
    })
  }

  /** A tool span: `args` in, `result` out (or an error). */
  tool(agent: string, name: string, args: JsonValue, result: JsonValue, options: { error?: string; toolCallId?: string; parentSpanId?: string } = {}): string {
    return this.push({
      kind: 'tool',
      name,
      agent: this.tag(agent),
      input: args,
      ...(options.error ? { status: 'error' as const, error: { type: 'Error', message: options.error } } : { output: result }),
      ...(options.toolCallId ? { toolCallId: options.toolCallId } : {}),
      ...(options.parentSpanId ? { parentId: options.parentSpanId } : {}),
    })
  }

  /** An llm span with a provider-neutral step: text, reasoning and tool calls out. */
  llm(agent: string, step: LlmStep): string {
    const output = [
      ...(step.reasoning ? [{ type: 'reasoning' as const, content: step.reasoning }] : []),
      ...(step.text ? [{ type: 'text' as const, content: step.text }] : []),
      ...(step.calls ?? []).map((call) => ({ type: 'tool_call' as const, name: call.name, arguments: call.args, ...(call.id ? { id: call.id } : {}) })),
    ]
    return this.push({
      kind: 'llm',
      name: 'chat',
      agent: this.tag(agent),
      step: {
        provider: 'openai',
        api: 'openai.chat.completions',
        operation: 'chat',
        model: 'gpt-4o-mini',
        streamed: false,
        complete: true,
        input: [{ role: 'user', parts: [{ type: 'text', content: this.task }] }],
        tools: (step.tools ?? []).map((name) => ({ name })),
        output,
        finishReason: step.calls?.length ? 'tool_calls' : 'stop',
      },
    })
  }

  /** Ends the trace with an answer (JSON null: no answer) or a failure. */
  end(output: JsonValue | undefined, options: { failed?: string } = {}): DetectorTrace {
    const end: WireTraceEnd = {
      id: this.id,
      endedAt: this.at(this.clock + 1),
      status: options.failed ? 'failed' : 'completed',
      ...(output !== undefined ? { output } : {}),
      ...(options.failed ? { error: { type: 'Error', message: options.failed } } : {}),
      totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: (this.clock + 1) * 1000 },
    }
    return { ...this.running(), end }
  }

  /** The trace so far, not ended. */
  running(): DetectorTrace {
    return { trace: { id: this.id, name: 'hand-made', startedAt: this.at(0), input: this.task }, spans: [...this.spans] }
  }

  private tag(agent: string, options: { role?: string; parentId?: string } = {}): WireSpan['agent'] {
    return { id: agent, ...(options.role ? { role: options.role } : {}), ...(options.parentId ? { parentId: options.parentId } : {}) }
  }

  private push(fields: Omit<WireSpan, 'id' | 'traceId' | 'startedAt' | 'endedAt' | 'durationMs' | 'status'> & { status?: WireSpan['status'] }): string {
    this.clock++
    const id = `s${this.spans.length + 1}`
    this.spans.push({ status: 'ok', ...fields, id, traceId: this.id, startedAt: this.at(this.clock), endedAt: this.at(this.clock + 0.5), durationMs: 500 })
    return id
  }

  private at(seconds: number): string {
    return new Date(Date.UTC(2025, 0, 31, 9) + seconds * 1000).toISOString()
  }
}
