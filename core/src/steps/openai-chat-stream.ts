import type { SseEvent } from '@retrace/cassettes'
import { asArray, asNumber, asRecord, asString } from './json-guards.ts'

interface ToolCallState {
  id?: string
  kind: 'function' | 'custom'
  name: string
  /** Argument (or custom-tool input) fragments, concatenated in arrival order. */
  text: string
}

/**
 * Rebuilds the `chat.completion` body an OpenAI SDK would have assembled from a streamed
 * response: content, refusal and reasoning deltas concatenated, tool calls merged by `index`
 * with their argument fragments joined, the last `finish_reason`, and the usage chunk that
 * `stream_options.include_usage` adds at the end (its `choices` array is empty).
 *
 * @example
 * const completion = reassembleOpenaiChatStream([
 *   { t: 0, data: { id: 'c1', model: 'gpt-4o', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] } },
 *   { t: 1, data: { id: 'c1', model: 'gpt-4o', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] } },
 *   { t: 2, text: '[DONE]' },
 * ])
 * completion?.choices[0]?.message.content // → 'Hello'
 * completion?.choices[0]?.finish_reason // → 'stop'
 */
export function reassembleOpenaiChatStream(events: readonly SseEvent[]): Record<string, unknown> {
  let id: string | undefined
  let model: string | undefined
  let content = ''
  let refusal = ''
  let reasoning = ''
  let finishReason: string | undefined
  let usage: unknown
  let error: unknown
  const toolCalls = new Map<number, ToolCallState>()

  for (const event of events) {
    const chunk = asRecord(event.data)
    if (chunk === undefined) continue
    if (chunk['error'] !== undefined) error = chunk['error']
    // Azure opens with a `prompt_filter_results` chunk whose id and model are empty strings.
    id ||= asString(chunk['id']) || undefined
    model ||= asString(chunk['model']) || undefined
    if (chunk['usage'] !== undefined && chunk['usage'] !== null) usage = chunk['usage']
    for (const rawChoice of asArray(chunk['choices'])) {
      const choice = asRecord(rawChoice)
      // Only the first choice is reassembled (see openaiChatResponseFields).
      if (choice === undefined || (choice['index'] ?? 0) !== 0) continue
      finishReason = asString(choice['finish_reason']) ?? finishReason
      const delta = asRecord(choice['delta'])
      if (delta === undefined) continue
      content += asString(delta['content']) ?? ''
      refusal += asString(delta['refusal']) ?? ''
      reasoning += asString(delta['reasoning_content']) ?? asString(delta['reasoning']) ?? ''
      for (const rawCall of asArray(delta['tool_calls'])) mergeToolCall(toolCalls, asRecord(rawCall))
      // The legacy `functions` API streams a single call without an index.
      const legacy = asRecord(delta['function_call'])
      if (legacy !== undefined) mergeToolCall(toolCalls, { index: -1, function: legacy })
    }
  }

  const message: Record<string, unknown> = {
    role: 'assistant',
    content: content === '' ? null : content,
    refusal: refusal === '' ? null : refusal,
  }
  if (reasoning !== '') message['reasoning_content'] = reasoning
  if (toolCalls.size > 0) {
    message['tool_calls'] = [...toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) =>
        call.kind === 'custom'
          ? { id: call.id, type: 'custom', custom: { name: call.name, input: call.text } }
          : { id: call.id, type: 'function', function: { name: call.name, arguments: call.text } },
      )
  }
  const body: Record<string, unknown> = {
    id,
    model,
    object: 'chat.completion',
    choices: [{ index: 0, message, finish_reason: finishReason ?? null }],
  }
  if (usage !== undefined) body['usage'] = usage
  if (error !== undefined) body['error'] = error
  return body
}

function mergeToolCall(calls: Map<number, ToolCallState>, delta: Readonly<Record<string, unknown>> | undefined): void {
  if (delta === undefined) return
  const index = asNumber(delta['index']) ?? calls.size
  const custom = asRecord(delta['custom'])
  const fn = asRecord(delta['function'])
  const call = calls.get(index) ?? { kind: custom !== undefined || delta['type'] === 'custom' ? 'custom' : 'function', name: '', text: '' }
  call.id = asString(delta['id']) ?? call.id
  // The name arrives whole in the first fragment; only arguments are split across chunks.
  call.name = asString(fn?.['name']) ?? asString(custom?.['name']) ?? call.name
  call.text += asString(fn?.['arguments']) ?? asString(custom?.['input']) ?? ''
  calls.set(index, call)
}
