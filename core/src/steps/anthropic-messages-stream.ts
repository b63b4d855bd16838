import type { SseEvent } from '@retrace/cassettes'
import { asNumber, asRecord, asString, parseJsonArguments } from './json-guards.ts'

type MutableRecord = Record<string, unknown>

/**
 * Rebuilds the `message` an Anthropic SDK would have assembled from a stream, the way its
 * MessageStream does: `message_start` gives the envelope and input usage, `content_block_*`
 * events build each block (text, thinking and tool-input JSON fragments concatenated), and
 * `message_delta` sets the stop reason and overwrites the cumulative usage counters it carries.
 * Tool input JSON that was cut short is kept as the raw partial string.
 *
 * @example
 * const message = reassembleAnthropicStream([
 *   { t: 0, event: 'message_start', data: { type: 'message_start', message: { id: 'msg_1', model: 'claude-haiku-4-5', content: [], usage: { input_tokens: 10, output_tokens: 1 } } } },
 *   { t: 1, event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
 *   { t: 2, event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } } },
 *   { t: 3, event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } } },
 * ])
 * message?.content // → [{ type: 'text', text: 'Hi' }]
 * message?.stop_reason // → 'end_turn'
 * message?.usage // → { input_tokens: 10, output_tokens: 2 }
 */
export function reassembleAnthropicStream(events: readonly SseEvent[]): MutableRecord {
  let message: MutableRecord = { content: [] }
  const blocks: MutableRecord[] = []
  // Tool input arrives as `input_json_delta` fragments of one JSON document per block.
  const inputJson = new Map<number, string>()
  let error: unknown

  for (const event of events) {
    const data = asRecord(event.data)
    if (data === undefined) continue
    const type = asString(data['type']) ?? event.event
    const index = asNumber(data['index']) ?? blocks.length - 1
    switch (type) {
      case 'message_start': {
        const start = asRecord(data['message'])
        message = { ...start, usage: { ...asRecord(start?.['usage']) } }
        blocks.length = 0
        inputJson.clear()
        break
      }
      case 'content_block_start':
        blocks[index] = { ...asRecord(data['content_block']) }
        break
      case 'content_block_delta':
        applyDelta(blocks[index], asRecord(data['delta']), index, inputJson)
        break
      case 'content_block_stop':
        finishToolInput(blocks[index], index, inputJson)
        break
      case 'message_delta': {
        const delta = asRecord(data['delta'])
        if (delta !== undefined) {
          message['stop_reason'] = delta['stop_reason']
          message['stop_sequence'] = delta['stop_sequence']
        }
        const usage: MutableRecord = { ...asRecord(message['usage']) }
        // Counters in message_delta are cumulative totals: overwrite, never add.
        for (const [key, value] of Object.entries(asRecord(data['usage']) ?? {})) {
          if (value !== null && value !== undefined) usage[key] = value
        }
        message['usage'] = usage
        break
      }
      case 'error':
        error = data['error'] ?? data
        break
      default:
        break
    }
  }
  // A cut-short stream never sent content_block_stop for its last block.
  blocks.forEach((block, index) => finishToolInput(block, index, inputJson))
  message['content'] = blocks.filter((block) => block !== undefined)
  if (error !== undefined) message['error'] = error
  return message
}

function applyDelta(
  block: MutableRecord | undefined,
  delta: Readonly<Record<string, unknown>> | undefined,
  index: number,
  inputJson: Map<number, string>,
): void {
  if (block === undefined || delta === undefined) return
  switch (delta['type']) {
    case 'text_delta':
      block['text'] = (asString(block['text']) ?? '') + (asString(delta['text']) ?? '')
      break
    case 'thinking_delta':
      block['thinking'] = (asString(block['thinking']) ?? '') + (asString(delta['thinking']) ?? '')
      break
    case 'signature_delta':
      block['signature'] = delta['signature']
      break
    case 'input_json_delta':
      inputJson.set(index, (inputJson.get(index) ?? '') + (asString(delta['partial_json']) ?? ''))
      break
    default:
      // citations_delta and future delta types do not change the parts a step shows.
      break
  }
}

function finishToolInput(block: MutableRecord | undefined, index: number, inputJson: Map<number, string>): void {
  const json = inputJson.get(index)
  if (block === undefined || json === undefined) return
  block['input'] = parseJsonArguments(json)
  inputJson.delete(index)
}
