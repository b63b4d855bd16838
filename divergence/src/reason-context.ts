import type { JsonValue } from '@retrace/cassettes'
import type { DivergenceLayer, DivergenceReason, DivergenceReasonKind } from './divergence-result.ts'

/** Where a comparison happens: carried down so every reason names its step, tool and path. */
export interface ReasonContext {
  readonly layer: DivergenceLayer
  /** Message prefix: "Step 2, tool call get_weather", "Step 1 text", "Result". */
  readonly where: string
  readonly step?: number
  readonly candidateStep?: number
  readonly tool?: string
  readonly toolCall?: number
  readonly path?: string
}

type ReasonFields = Partial<Pick<DivergenceReason, 'path' | 'tokenKind' | 'expected' | 'received' | 'similarity'>>

/**
 * Builds a reason from its context: `detail` becomes the sentence after the prefix.
 *
 * @example
 * makeReason({ layer: 'text', where: 'Step 1 text', step: 1 }, 'text-dissimilar', 'the answer changed', { similarity: 0.2 })
 * // { layer: 'text', kind: 'text-dissimilar', step: 1, similarity: 0.2, message: 'Step 1 text: the answer changed.' }
 */
export function makeReason(context: ReasonContext, kind: DivergenceReasonKind, detail: string, fields: ReasonFields = {}): DivergenceReason {
  const reason: DivergenceReason = { layer: context.layer, kind, message: `${context.where}: ${detail}.` }
  // Only defined fields, so results compare and serialise cleanly.
  if (context.step !== undefined) reason.step = context.step
  if (context.candidateStep !== undefined && context.candidateStep !== context.step) reason.candidateStep = context.candidateStep
  if (context.tool !== undefined) reason.tool = context.tool
  if (context.toolCall !== undefined) reason.toolCall = context.toolCall
  const path = fields.path ?? context.path
  if (path !== undefined) reason.path = path
  if (fields.tokenKind !== undefined) reason.tokenKind = fields.tokenKind
  if (fields.expected !== undefined) reason.expected = fields.expected
  if (fields.received !== undefined) reason.received = fields.received
  if (fields.similarity !== undefined) reason.similarity = round(fields.similarity)
  return reason
}

/**
 * A value as it reads in a message: JSON, cut to `max` characters.
 *
 * @example
 * formatValue('Paris') // '"Paris"'
 */
export function formatValue(value: JsonValue | undefined, max = 60): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/**
 * Similarities are reported to 3 decimals: enough to compare with a threshold, no float noise.
 *
 * @example
 * round(0.88888) // 0.889
 */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
