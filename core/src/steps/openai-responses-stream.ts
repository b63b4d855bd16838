import type { SseEvent } from '@retrace/cassettes'
import { asArray, asNumber, asRecord, asString } from './json-guards.ts'

type MutableRecord = Record<string, unknown>

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed'])

/**
 * The `response` object of a streamed OpenAI Responses API call. A finished stream carries it
 * whole in its terminal event (`response.completed`, `.incomplete` or `.failed`), which is
 * used as is. A stream cut short before that is rebuilt from its output items and deltas
 * (text, refusal, function-call arguments, reasoning summaries), keeping the status of the
 * last lifecycle event (`in_progress`).
 *
 * @example
 * reassembleResponsesStream([
 *   { t: 0, event: 'response.created', data: { type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } } },
 *   { t: 1, event: 'response.output_item.added', data: { type: 'response.output_item.added', output_index: 0, item: { type: 'message', role: 'assistant', content: [] } } },
 *   { t: 2, event: 'response.output_text.delta', data: { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hel' } },
 * ])
 * // → { id: 'resp_1', status: 'in_progress', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hel' }] }] }
 */
export function reassembleResponsesStream(events: readonly SseEvent[]): MutableRecord {
  let response: MutableRecord = {}
  let terminal = false
  let error: unknown
  const items: MutableRecord[] = []

  for (const event of events) {
    const data = asRecord(event.data)
    if (data === undefined) continue
    const type = asString(data['type']) ?? event.event ?? ''
    if (type.startsWith('response.') && asRecord(data['response']) !== undefined) {
      response = { ...asRecord(data['response']) }
      terminal ||= TERMINAL_EVENTS.has(type)
      continue
    }
    if (type === 'error') {
      error = data
      continue
    }
    applyItemEvent(type, data, items)
  }

  const finalOutput = asArray(response['output'])
  // Prefer the server's own final output; fall back to what the deltas built.
  if (!terminal || (finalOutput.length === 0 && items.length > 0)) {
    response['output'] = items.filter((item) => item !== undefined)
  }
  if (error !== undefined && !terminal) {
    response['status'] = 'failed'
    response['error'] = error
  }
  return response
}

function applyItemEvent(type: string, data: Readonly<MutableRecord>, items: MutableRecord[]): void {
  const outputIndex = asNumber(data['output_index']) ?? items.length - 1
  switch (type) {
    case 'response.output_item.added':
    case 'response.output_item.done':
      // `done` carries the finished item and replaces whatever the deltas built.
      items[outputIndex] = structuredClone({ ...asRecord(data['item']) })
      return
    default:
      break
  }
  const item = items[outputIndex]
  if (item === undefined) return
  const delta = asString(data['delta']) ?? ''
  switch (type) {
    case 'response.content_part.added':
      listOf(item, 'content')[asNumber(data['content_index']) ?? 0] = { ...asRecord(data['part']) }
      break
    case 'response.output_text.delta':
      appendText(listOf(item, 'content'), asNumber(data['content_index']) ?? 0, 'output_text', 'text', delta)
      break
    case 'response.refusal.delta':
      appendText(listOf(item, 'content'), asNumber(data['content_index']) ?? 0, 'refusal', 'refusal', delta)
      break
    case 'response.reasoning_text.delta':
      appendText(listOf(item, 'content'), asNumber(data['content_index']) ?? 0, 'reasoning_text', 'text', delta)
      break
    case 'response.reasoning_summary_text.delta':
      appendText(listOf(item, 'summary'), asNumber(data['summary_index']) ?? 0, 'summary_text', 'text', delta)
      break
    case 'response.function_call_arguments.delta':
      item['arguments'] = (asString(item['arguments']) ?? '') + delta
      break
    case 'response.function_call_arguments.done':
      item['arguments'] = data['arguments']
      break
    case 'response.custom_tool_call_input.delta':
      item['input'] = (asString(item['input']) ?? '') + delta
      break
    default:
      break
  }
}

function listOf(item: MutableRecord, key: string): MutableRecord[] {
  const existing = item[key]
  if (Array.isArray(existing)) return existing as MutableRecord[]
  const list: MutableRecord[] = []
  item[key] = list
  return list
}

function appendText(list: MutableRecord[], index: number, partType: string, key: string, delta: string): void {
  const part = list[index] ?? { type: partType, [key]: '' }
  part[key] = (asString(part[key]) ?? '') + delta
  list[index] = part
}
