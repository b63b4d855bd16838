import type { Step, StoredStep, ToolCallPart } from '@retrace/cassettes'

/**
 * All output text of a step, concatenated (reasoning, refusals and tool calls left out).
 *
 * @example
 * stepText({ output: [{ type: 'text', content: 'Hel' }, { type: 'tool_call', name: 'f', arguments: {} }, { type: 'text', content: 'lo' }] }) // → 'Hello'
 */
export function stepText(step: Pick<Step | StoredStep, 'output'>): string {
  let text = ''
  for (const part of step.output) if (part.type === 'text') text += part.content
  return text
}

/**
 * The tool calls a step made, in order, with their parsed arguments.
 *
 * @example
 * stepToolCalls({ output: [{ type: 'text', content: 'Checking.' }, { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] })
 * // → [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }]
 */
export function stepToolCalls(step: Pick<Step | StoredStep, 'output'>): ToolCallPart[] {
  return step.output.filter((part): part is ToolCallPart => part.type === 'tool_call')
}
