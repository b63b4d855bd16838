import { InteractionSchema, maskSecrets, maskSecretText, StepSchema, type Interaction, type JsonValue, type MessagePart, type RetraceError, type Step } from '@retrace/cassettes'
import type { ErrorInfo, WireEvent, WireSpan } from '@retrace/protocol'
import type { ContentMask, MaskContext } from './content-mask.ts'
import { RetraceMaskError } from './retrace-mask-error.ts'

/** What happens to an event's content before it is journaled or sent (from `configure()`). */
export interface ContentPolicy {
  mask: ContentMask | undefined
  captureContent: boolean
  onError: (error: RetraceError) => void
}

/** The event to send, or why it was dropped (and, for a trace's start or end, what to send instead). */
export type PreparedEvent = { event: WireEvent } | { error: RetraceMaskError; fallback: WireEvent | undefined }

/**
 * An event as it may leave the process: content dropped when `captureContent` is off, the
 * user's mask applied, then every secret masked by the same rules as cassettes
 * (`maskSecrets` from @retrace/cassettes). A mask that throws drops the event; a trace's
 * start and end still go out without their content (so the trace stays whole), and the
 * caller marks the trace lossy.
 *
 * @example
 * import type { JsonValue } from '@retrace/cassettes'
 * const event = { type: 'span' as const, id: 's1', span: { id: 's1', traceId: 't1', kind: 'tool' as const, name: 'lookup', startedAt: new Date(0).toISOString(), endedAt: new Date(0).toISOString(), durationMs: 0, status: 'ok' as const, input: { email: 'ada@example.com', key: 'sk-proj-' + 'a'.repeat(40) } } }
 * // The user's mask first (here: e-mail addresses), then Retrace's secret rules.
 * const hideEmails = (value: JsonValue): JsonValue => JSON.parse(JSON.stringify(value).replace(/[\w.]+@[\w.]+/g, '<email>'))
 * const prepared = prepareEvent(event, { mask: hideEmails, captureContent: true, onError: console.warn }, 'runAgent')
 * 'event' in prepared && prepared.event.type === 'span' && prepared.event.span.input // → { email: '<email>', key: '[REDACTED:openai-key]' }
 */
export function prepareEvent(event: WireEvent, policy: ContentPolicy, traceName: string): PreparedEvent {
  try {
    return { event: maskedEvent(withContent(event, traceName, { capture: policy.captureContent, mask: policy.mask, metadata: true })) }
  } catch (cause) {
    const where = event.type === 'span' ? `span "${event.span.name}"` : event.type === 'trace.start' ? 'the start' : 'the end'
    const traceId = event.type === 'span' ? event.span.traceId : event.type === 'trace.lossy' ? event.lossy.traceId : event.trace.id
    const error = new RetraceMaskError(traceId, where, cause instanceof Error ? new Error(maskSecretText(cause.message)) : cause)
    // Without the mask nothing of the content may go: the start and end go out bare.
    const fallback = event.type === 'span' ? undefined : maskedEvent(withContent(event, traceName, { capture: false, mask: undefined, metadata: false }))
    if (fallback?.type === 'trace.end') fallback.trace.lossy = true
    return { error, fallback }
  }
}

/**
 * Every string a caller or a model wrote (payloads, names, tags, session and agent ids)
 * through the shared secret rules, in one walk; ids and timestamps Retrace made itself are
 * left out of it.
 */
function maskedEvent(event: WireEvent): WireEvent {
  if (event.type === 'trace.start') {
    const { id, startedAt, projectId, forkOf, forkPointStep, forkId, resumable, ...written } = event.trace
    const masked = maskSecrets(written).value as typeof written
    return masked === written ? event : { ...event, trace: { ...event.trace, ...masked } }
  }
  if (event.type === 'span') {
    // The interaction was redacted by the cassette rules when it was taken (see ActiveTrace).
    const { id, traceId, parentId, kind, startedAt, endedAt, durationMs, status, truncated, toolCallId, forkPoint, interaction, ...written } = event.span
    const masked = maskSecrets(written).value as typeof written
    return masked === written ? event : { ...event, span: { ...event.span, ...masked } }
  }
  if (event.type === 'trace.end') {
    const { output, error } = event.trace
    const masked = maskSecrets({ output, error }).value as { output: typeof output; error: typeof error }
    return masked.output === output && masked.error === error ? event : { ...event, trace: { ...event.trace, ...(output !== undefined ? { output: masked.output } : {}), ...(error ? { error: masked.error } : {}) } }
  }
  return event
}

interface ContentMode {
  capture: boolean
  mask: ContentMask | undefined
  metadata: boolean
}

function withContent(event: WireEvent, traceName: string, mode: ContentMode): WireEvent {
  const capture = mode.capture
  const mask = (value: JsonValue | undefined, context: MaskContext): JsonValue | undefined => {
    if (value === undefined) return undefined
    return mode.mask ? mode.mask(value, context) : value
  }
  const maskMetadata = (value: JsonValue | undefined, context: MaskContext) => (mode.metadata ? mask(value, context) : undefined)
  const message = (error: ErrorInfo, context: MaskContext): ErrorInfo => {
    if (!capture) return { type: error.type, message: '' }
    const masked = mask(error.message, context)
    return { type: error.type, message: typeof masked === 'string' ? masked : JSON.stringify(masked ?? '') }
  }
  if (event.type === 'trace.start') {
    const { input, metadata, ...rest } = event.trace
    const context = { kind: 'trace', name: rest.name } as const
    const keptInput = capture ? mask(input, { ...context, field: 'input' }) : undefined
    const keptMetadata = maskMetadata(metadata, { ...context, field: 'metadata' })
    return { ...event, trace: { ...rest, ...(keptInput !== undefined ? { input: keptInput } : {}), ...(isRecord(keptMetadata) ? { metadata: keptMetadata } : {}) } }
  }
  if (event.type === 'trace.end') {
    const { output, error, ...rest } = event.trace
    const context = { kind: 'trace', name: traceName } as const
    const keptOutput = capture ? mask(output, { ...context, field: 'output' }) : undefined
    return { ...event, trace: { ...rest, ...(keptOutput !== undefined ? { output: keptOutput } : {}), ...(error ? { error: message(error, { ...context, field: 'error' }) } : {}) } }
  }
  if (event.type === 'span') {
    const { input, output, error, metadata, step, interaction, ...rest } = event.span
    const context = { kind: 'span', name: rest.name, spanKind: rest.kind } as const
    const span: WireSpan = { ...rest }
    if (capture) {
      const keptInput = mask(input, { ...context, field: 'input' })
      const keptOutput = mask(output, { ...context, field: 'output' })
      if (keptInput !== undefined) span.input = keptInput
      if (keptOutput !== undefined) span.output = keptOutput
    }
    if (error) span.error = message(error, { ...context, field: 'error' })
    const keptMetadata = maskMetadata(metadata, { ...context, field: 'metadata' })
    if (isRecord(keptMetadata)) span.metadata = keptMetadata
    if (step) span.step = capture ? maskedStep(step, mode.mask === undefined, (value) => mask(value, { ...context, field: 'step' })) : structureOf(step)
    // The HTTP exchange is all content: it goes only with captureContent, through the user's mask.
    if (interaction && capture) {
      const kept = mode.mask ? maskedInteraction(interaction, (value) => mask(value, { ...context, field: 'interaction' })) : interaction
      if (kept) span.interaction = kept
    }
    return { ...event, span }
  }
  return event
}

function maskedStep(step: Step, trusted: boolean, mask: (value: JsonValue) => JsonValue | undefined): Step {
  const masked = mask(step as unknown as JsonValue)
  // Without a user's mask the step is as extracted; a user's mask must keep its shape.
  if (trusted) return masked as unknown as Step
  const parsed = StepSchema.safeParse(masked)
  if (!parsed.success) throw new Error(`it returned a step that is no longer a step (${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? '?'})`)
  return parsed.data
}

/** The user's mask over an interaction, secrets masked again after it; left out when the mask broke its shape (it could not be replayed). */
function maskedInteraction(interaction: Interaction, mask: (value: JsonValue) => JsonValue | undefined): Interaction | undefined {
  const parsed = InteractionSchema.safeParse(mask(interaction as unknown as JsonValue))
  return parsed.success ? (maskSecrets(parsed.data as unknown as JsonValue).value as unknown as Interaction) : undefined
}

/** A step without content: who was called, how, and what it cost; messages keep their roles and part types only. */
function structureOf(step: Step): Step {
  const parts = (list: readonly MessagePart[]): MessagePart[] =>
    list.map((part): MessagePart => {
      switch (part.type) {
        case 'text':
        case 'reasoning':
        case 'refusal':
          return { type: part.type, content: '' }
        case 'tool_call':
          return { type: 'tool_call', ...(part.id ? { id: part.id } : {}), name: part.name, arguments: null }
        case 'tool_call_response':
          return { type: 'tool_call_response', ...(part.id ? { id: part.id } : {}), ...(part.name ? { name: part.name } : {}), response: null }
        case 'uri':
          return { type: 'uri', uri: '', ...(part.mime_type ? { mime_type: part.mime_type } : {}), ...(part.modality ? { modality: part.modality } : {}) }
        default:
          return { type: part.type, ...(part.mime_type ? { mime_type: part.mime_type } : {}), ...(part.modality ? { modality: part.modality } : {}) }
      }
    })
  return {
    ...step,
    input: step.input.map((message) => ({ role: message.role, parts: parts(message.parts) })),
    tools: step.tools.map((tool) => ({ name: tool.name })),
    output: parts(step.output),
  }
}

function isRecord(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
