import type { JsonValue, Step, StoredStep } from '@retrace/cassettes'
import { jsonEqual } from './json-equal.ts'
import { equalIgnoringWhitespace } from './tokenize.ts'

/** A tool call as compared: its `id` is volatile (provider-generated) and left out. */
export interface ToolCallSignature {
  name: string
  arguments: JsonValue
}

/**
 * What a step did, provider-neutral, without volatile fields: usage, cost, latency, ids,
 * model and reasoning (its wording changes from run to run and is not the agent's output).
 */
export interface StepSignature {
  /** Text parts, joined by a newline. */
  text: string
  /** Refusal parts joined, or undefined when the model did not refuse. */
  refusal: string | undefined
  toolCalls: ToolCallSignature[]
  /** Lower-cased; undefined when the provider reported none. */
  finishReason: string | undefined
}

/**
 * Reduces a step to what the divergence engine compares.
 *
 * @example
 * const step = (output: any[], finishReason = 'stop') => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output, finishReason }) as const
 * stepSignature(step([{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }], 'tool_calls'))
 * // → { text: '', refusal: undefined, toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], finishReason: 'tool_calls' }
 */
export function stepSignature(step: Step | StoredStep): StepSignature {
  let text = ''
  let refusal: string | undefined
  const toolCalls: ToolCallSignature[] = []
  for (const part of step.output) {
    if (part.type === 'text') text = text ? `${text}\n${part.content}` : part.content
    else if (part.type === 'refusal') refusal = refusal === undefined ? part.content : `${refusal}\n${part.content}`
    else if (part.type === 'tool_call') toolCalls.push({ name: part.name, arguments: parseArguments(part.arguments as JsonValue) })
  }
  return { text, refusal, toolCalls, finishReason: step.finishReason?.toLowerCase() }
}

/**
 * Tool-call arguments (and tool results) as what they say: some providers send them as a
 * JSON string, others as an object. A string that is not JSON is returned as it is.
 *
 * @example
 * parseArguments('{"city":"Paris"}') // { city: 'Paris' }
 */
export function parseArguments(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value
  const trimmed = value.trim()
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value
  try {
    return JSON.parse(trimmed) as JsonValue
  } catch {
    return value
  }
}

/**
 * True when two steps are the same up to volatile fields, key order and whitespace: the
 * exact layer. Tool calls must be in the same order here; a reordering is left to the
 * structure layer, which may call it equivalent.
 *
 * @example
 * const step = (output: any[], finishReason = 'stop') => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output, finishReason }) as const
 * const a = stepSignature(step([{ type: 'text', content: 'Sunny  in Paris.' }]))
 * const b = stepSignature(step([{ type: 'text', content: 'Sunny in Paris.' }]))
 * signaturesIdentical(a, b) // → true
 */
export function signaturesIdentical(a: StepSignature, b: StepSignature): boolean {
  if (a.finishReason !== b.finishReason || a.toolCalls.length !== b.toolCalls.length) return false
  if (!equalIgnoringWhitespace(a.text, b.text)) return false
  if (a.refusal !== b.refusal && (a.refusal === undefined || b.refusal === undefined || !equalIgnoringWhitespace(a.refusal, b.refusal))) return false
  for (let i = 0; i < a.toolCalls.length; i++) {
    const x = a.toolCalls[i]!
    const y = b.toolCalls[i]!
    if (x.name !== y.name || !jsonEqual(x.arguments, y.arguments)) return false
  }
  return true
}
