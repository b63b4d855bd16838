import type { MessagePart, SpanNode } from '../api/api-types.ts'
import { flattenSpans, isoMs } from './span-rows.ts'

/** One step of the replay: a span, in the order the run did things. */
export interface PlaybackStep {
  index: number
  span: SpanNode
  /** ms since the run's first span started. */
  atMs: number
  endMs: number
  inputTokens: number
  outputTokens: number
  usd: number
  latencyMs: number
}

/** A line of the conversation as it built up. `step` is the step that produced it. */
export type TranscriptEntry =
  | { kind: 'message'; step: number; spanId: string; role: 'system' | 'user' | 'assistant' | 'tool'; text: string; variant?: 'reasoning' | 'refusal' | 'media' }
  | { kind: 'tool-call'; step: number; spanId: string; name: string; args: unknown; callId?: string }
  | { kind: 'tool-result'; step: number; spanId: string; name?: string; result: unknown; callId?: string; failed?: boolean }
  | { kind: 'event'; step: number; spanId: string; text: string; tone: 'agent' | 'error' | 'span' }

/** Running totals after a step. */
export interface RunningTotals {
  inputTokens: number
  outputTokens: number
  usd: number
  /** From the run's start to the end of the step. */
  elapsedMs: number
  llmCalls: number
}

export interface Playback {
  steps: PlaybackStep[]
  /** Step index of each span id. */
  stepOfSpan: Map<string, number>
  entries: TranscriptEntry[]
  /** `visibleEntries[k]`: how many entries exist once step k has happened. */
  visibleEntries: number[]
  /** Totals once step k has happened. */
  running: RunningTotals[]
}

const ms = isoMs

/**
 * The run as a sequence of steps (spans by start time; a parent before its children when
 * they start together) and its transcript: the messages, tool calls and tool results in the
 * order they happened, each line once — a message an LLM call re-sends (the conversation so
 * far) is shown only where it first appeared, a tool result once whether it came from a
 * tool span or the next request. With running totals (tokens, cost, time) per step.
 *
 * @example
 * const span = (id: string, startMs: number, endMs: number, fields: object = {}) => ({ id, traceId: 't1', kind: 'span' as const, name: id, startedAt: new Date(startMs).toISOString(), endedAt: new Date(endMs).toISOString(), durationMs: endMs - startMs, status: 'ok' as const, children: [], ...fields })
 * const root = span('run', 0, 3000, { kind: 'agent', children: [
 *   span('search', 1000, 1500, { kind: 'tool', input: { q: 'Rome' }, output: { flights: 3 } }),
 * ] })
 * const playback = buildPlayback([root])
 * playback.steps.map((step) => [step.span.id, step.atMs]) // → [['run', 0], ['search', 1000]]
 * // The transcript once step 2 has happened:
 * playback.entries.slice(0, playback.visibleEntries[1]).map((entry) => entry.kind)
 * // → ['event', 'tool-call', 'tool-result']
 */
export function buildPlayback(roots: readonly SpanNode[]): Playback {
  const all = flattenSpans(roots)
  const ordered = all.map((span, order) => ({ span, order, at: ms(span.startedAt) }))
  // A tool call the SDK saw only in the next request's messages is stamped when that request
  // ended; it happened before that request started, so it plays just before it.
  const consumedBy = new Map<string, number>()
  for (const span of all) {
    if (span.kind !== 'llm' || !span.step) continue
    for (const message of span.step.input) for (const part of message.parts) if (part.type === 'tool_call_response' && part.id && !consumedBy.has(part.id)) consumedBy.set(part.id, ms(span.startedAt))
  }
  for (const item of ordered) {
    const consumer = item.span.kind === 'tool' && item.span.toolCallId ? consumedBy.get(item.span.toolCallId) : undefined
    if (consumer !== undefined && item.at >= consumer) item.at = consumer - 0.001
  }
  ordered.sort((a, b) => a.at - b.at || a.order - b.order)
  const origin = ordered[0]?.at ?? 0
  const steps: PlaybackStep[] = ordered.map(({ span, at }, index) => {
    const usage = span.step?.usage
    return {
      index,
      span,
      atMs: at - origin,
      endMs: at - origin + Math.max(span.durationMs || 0, ms(span.endedAt) - ms(span.startedAt), 0),
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      usd: span.step?.costUsd ?? 0,
      latencyMs: span.step?.latencyMs ?? span.durationMs ?? 0,
    }
  })

  const entries: TranscriptEntry[] = []
  const visibleEntries: number[] = []
  const running: RunningTotals[] = []
  const seen = new Set<string>()
  const totals: RunningTotals = { inputTokens: 0, outputTokens: 0, usd: 0, elapsedMs: 0, llmCalls: 0 }
  for (const step of steps) {
    const { span } = step
    const add = (entry: TranscriptEntry) => entries.push(entry)
    const base = { step: step.index, spanId: span.id }
    if (span.kind === 'llm' && span.step) {
      for (const message of span.step.input) {
        for (const part of message.parts) {
          const key = partKey(message.role, part)
          if (seen.has(key)) continue
          seen.add(key)
          const entry = partEntry(message.role, part, base)
          if (entry) add(entry)
        }
      }
      for (const part of span.step.output) {
        const key = partKey('assistant', part)
        if (seen.has(key)) continue
        seen.add(key)
        const entry = partEntry('assistant', part, base)
        if (entry) add(entry)
      }
    } else if (span.kind === 'tool') {
      const callKey = span.toolCallId ? `call|${span.toolCallId}` : undefined
      if (!callKey || !seen.has(callKey)) {
        if (callKey) seen.add(callKey)
        add({ kind: 'tool-call', ...base, name: span.name, args: span.input ?? null, ...(span.toolCallId ? { callId: span.toolCallId } : {}) })
      }
      const resultKey = span.toolCallId ? `result|${span.toolCallId}` : undefined
      if (!resultKey || !seen.has(resultKey)) {
        if (resultKey) seen.add(resultKey)
        add({ kind: 'tool-result', ...base, name: span.name, result: span.status === 'error' ? (span.error ?? null) : (span.output ?? null), ...(span.toolCallId ? { callId: span.toolCallId } : {}), ...(span.status === 'error' ? { failed: true } : {}) })
      }
    } else if (span.kind === 'agent') {
      const who = span.agent ? `${span.agent.id}${span.agent.role ? ` (${span.agent.role})` : ''}` : span.name
      add({ kind: 'event', ...base, text: `Agent ${who} starts: ${span.name}`, tone: 'agent' })
    } else if (span.kind === 'error' || span.status === 'error') {
      add({ kind: 'event', ...base, text: `${span.name}: ${span.error ? `${span.error.type}: ${span.error.message}` : 'failed'}`, tone: 'error' })
    } else {
      add({ kind: 'event', ...base, text: span.name, tone: 'span' })
    }
    if (span.kind === 'llm' && span.status === 'error' && span.error) add({ kind: 'event', ...base, text: `${span.error.type}: ${span.error.message}`, tone: 'error' })
    totals.inputTokens += step.inputTokens
    totals.outputTokens += step.outputTokens
    totals.usd += step.usd
    totals.elapsedMs = Math.max(totals.elapsedMs, step.endMs)
    if (span.kind === 'llm') totals.llmCalls++
    running.push({ ...totals })
    visibleEntries.push(entries.length)
  }
  return { steps, stepOfSpan: new Map(steps.map((step) => [step.span.id, step.index])), entries, visibleEntries, running }
}

/** What makes a part the same line when a later request repeats it. */
function partKey(role: string, part: MessagePart): string {
  switch (part.type) {
    case 'tool_call':
      return part.id ? `call|${part.id}` : `call|${part.name}|${JSON.stringify(part.arguments)}`
    case 'tool_call_response':
      return part.id ? `result|${part.id}` : `result|${part.name ?? ''}|${JSON.stringify(part.response)}`
    case 'text':
    case 'reasoning':
    case 'refusal':
      return `${role}|${part.type}|${part.content}`
    case 'uri':
      return `${role}|uri|${part.uri}`
    default:
      return `${role}|${JSON.stringify(part)}`
  }
}

function partEntry(role: 'system' | 'user' | 'assistant' | 'tool', part: MessagePart, base: { step: number; spanId: string }): TranscriptEntry | undefined {
  switch (part.type) {
    case 'text':
      return part.content.trim() ? { kind: 'message', ...base, role, text: part.content } : undefined
    case 'reasoning':
      return { kind: 'message', ...base, role, text: part.content, variant: 'reasoning' }
    case 'refusal':
      return { kind: 'message', ...base, role, text: part.content, variant: 'refusal' }
    case 'tool_call':
      return { kind: 'tool-call', ...base, name: part.name, args: part.arguments, ...(part.id ? { callId: part.id } : {}) }
    case 'tool_call_response':
      return { kind: 'tool-result', ...base, ...(part.name ? { name: part.name } : {}), result: part.response, ...(part.id ? { callId: part.id } : {}) }
    case 'uri':
      return { kind: 'message', ...base, role, text: `${part.modality ?? 'file'}: ${part.uri}`, variant: 'media' }
    case 'blob':
      return { kind: 'message', ...base, role, text: `${part.modality ?? 'file'} (${part.mime_type ?? 'inline data'})`, variant: 'media' }
    default:
      return undefined
  }
}
