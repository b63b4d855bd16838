import type { Message, MessagePart, Step, ToolDefinition, Usage } from '@retrace/cassettes'
import { asNumber } from './json-guards.ts'

/** What a provider mapping reads from a request body. */
export interface RequestFields {
  readonly model?: string
  readonly input: Message[]
  readonly tools: ToolDefinition[]
  readonly parameters?: Step['parameters']
  /** The request asked for a streamed response. */
  readonly stream?: boolean
}

/** What a provider mapping reads from a (reassembled) response body. */
export interface ResponseFields {
  readonly responseModel?: string
  readonly responseId?: string
  readonly output: MessagePart[]
  readonly finishReason?: string
  readonly usage?: Usage
}

/**
 * Request parameters from raw values; undefined when none was set, so steps stay small.
 *
 * @example
 * buildParameters({ temperature: 0, maxTokens: 256, seed: undefined }) // → { temperature: 0, maxTokens: 256 }
 * buildParameters({})                                                   // → undefined
 */
export function buildParameters(raw: {
  temperature?: unknown
  topP?: unknown
  maxTokens?: unknown
  seed?: unknown
}): Step['parameters'] {
  const parameters: NonNullable<Step['parameters']> = {}
  const temperature = asNumber(raw.temperature)
  if (temperature !== undefined) parameters.temperature = temperature
  const topP = asNumber(raw.topP)
  if (topP !== undefined) parameters.topP = topP
  const maxTokens = asNumber(raw.maxTokens)
  if (maxTokens !== undefined) parameters.maxTokens = maxTokens
  const seed = asNumber(raw.seed)
  if (seed !== undefined) parameters.seed = seed
  return Object.keys(parameters).length > 0 ? parameters : undefined
}
