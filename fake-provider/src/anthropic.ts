/** Anthropic Messages, `POST /v1/messages`: JSON and the named SSE event sequence. */

import type { ParseOutcome, ProtocolAdapter } from './adapter.ts'
import type { ConversationTurn, ToolDeclaration } from './conversation.ts'
import { splitIntoFragments, splitIntoWordDeltas } from './deltas.ts'
import { anthropicDialect } from './dialects.ts'
import { newId, newThinkingSignature } from './ids.ts'
import { isJsonObject, objectsIn, stringOrUndefined, type JsonObject } from './json.ts'
import type { PlannedReply } from './policy.ts'
import { jsonEvent, type SseEvent } from './sse.ts'
import type { FakeUsage } from './types.ts'

export const anthropicAdapter: ProtocolAdapter = {
  kind: 'anthropic',
  dialect: anthropicDialect,
  sseLineEnding: '\n',
  parseRequest: parseMessagesRequest,
}

function parseMessagesRequest(body: JsonObject): ParseOutcome {
  const model = stringOrUndefined(body['model'])
  if (!model) return { invalid: 'model: Field required' }
  if (!Array.isArray(body['messages'])) return { invalid: 'messages: Field required' }
  if (typeof body['max_tokens'] !== 'number') return { invalid: 'max_tokens: Field required' }
  const messages = objectsIn(body['messages'])
  const thinking = isJsonObject(body['thinking']) ? body['thinking']['type'] : undefined
  return {
    call: {
      model,
      stream: body['stream'] === true,
      conversation: {
        turns: messages.flatMap(toTurns),
        tools: toolDeclarations(body['tools']),
        wantsThinking: thinking === 'enabled' || thinking === 'adaptive',
      },
      messagesCount: messages.length,
      renderJson: (reply) => renderMessage(model, reply),
      renderEvents: (reply) => renderMessageEvents(model, reply),
    },
  }
}

function toTurns(message: JsonObject): ConversationTurn[] {
  const content = message['content']
  const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : objectsIn(content)
  const text = blocks
    .filter((block) => block['type'] === 'text')
    .map((block) => stringOrUndefined(block['text']) ?? '')
    .join('\n')
  if (message['role'] === 'assistant') {
    const toolCalls = blocks
      .filter((block) => block['type'] === 'tool_use')
      .map((block) => ({ id: stringOrUndefined(block['id']), name: stringOrUndefined(block['name']) ?? '' }))
    return [{ kind: 'assistant', text, toolCalls }]
  }
  if (message['role'] !== 'user') return [] // system messages do not steer the fake model

  // Tool results travel inside user messages; a message of only results is not a user turn.
  const results: ConversationTurn[] = blocks
    .filter((block) => block['type'] === 'tool_result')
    .map((block) => ({
      kind: 'tool-result',
      callId: stringOrUndefined(block['tool_use_id']),
      name: undefined,
      result: toolResultText(block['content']),
    }))
  const hasText = blocks.some((block) => block['type'] === 'text')
  return hasText || results.length === 0 ? [...results, { kind: 'user', text }] : results
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content
  return objectsIn(content)
    .map((block) => stringOrUndefined(block['text']) ?? '')
    .join('\n')
}

/** Custom tools only; server tools (web search, bash…) have a `type` and no input schema. */
function toolDeclarations(tools: unknown): ToolDeclaration[] {
  return objectsIn(tools).flatMap((tool) => {
    const name = stringOrUndefined(tool['name'])
    if (!name || (tool['type'] !== undefined && tool['type'] !== 'custom')) return []
    return [{ name, parameters: isJsonObject(tool['input_schema']) ? tool['input_schema'] : undefined }]
  })
}

/** Content blocks in the order Claude produces them: thinking, text, then tool uses. */
interface ContentBlock {
  /** The block as it appears in a complete message. */
  readonly complete: JsonObject
  /** The block as `content_block_start` announces it, before any delta. */
  readonly start: JsonObject
  readonly deltas: readonly JsonObject[]
}

function contentBlocks(reply: PlannedReply): ContentBlock[] {
  const blocks: ContentBlock[] = []
  if (reply.thinking !== undefined) {
    const signature = newThinkingSignature()
    blocks.push({
      complete: { type: 'thinking', thinking: reply.thinking, signature },
      start: { type: 'thinking', thinking: '', signature: '' },
      deltas: [
        ...splitIntoWordDeltas(reply.thinking).map((thinking) => ({ type: 'thinking_delta', thinking })),
        { type: 'signature_delta', signature },
      ],
    })
  }
  if (reply.text !== undefined) {
    blocks.push({
      complete: { type: 'text', text: reply.text },
      start: { type: 'text', text: '' },
      deltas: splitIntoWordDeltas(reply.text).map((text) => ({ type: 'text_delta', text })),
    })
  }
  for (const call of reply.toolCalls) {
    const id = newId('anthropicToolUse')
    blocks.push({
      complete: { type: 'tool_use', id, name: call.name, input: call.arguments },
      start: { type: 'tool_use', id, name: call.name, input: {} },
      deltas: splitIntoFragments(JSON.stringify(call.arguments)).map((partial_json) => ({
        type: 'input_json_delta',
        partial_json,
      })),
    })
  }
  return blocks
}

function stopReasonOf(reply: PlannedReply): string {
  return reply.finishReason ?? (reply.toolCalls.length > 0 ? 'tool_use' : 'end_turn')
}

function renderMessage(model: string, reply: PlannedReply): JsonObject {
  return {
    id: newId('anthropicMessage'),
    type: 'message',
    role: 'assistant',
    model,
    content: contentBlocks(reply).map((block) => block.complete),
    stop_reason: stopReasonOf(reply),
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: messageUsage(reply.usage, reply.usage.outputTokens),
  }
}

function renderMessageEvents(model: string, reply: PlannedReply): SseEvent[] {
  const events: SseEvent[] = []
  const emit = (type: string, fields: JsonObject = {}): void => {
    events.push(jsonEvent({ type, ...fields }, type))
  }
  emit('message_start', {
    message: {
      id: newId('anthropicMessage'),
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      // The real API reports a provisional output count here; message_delta has the total.
      usage: messageUsage(reply.usage, 1),
    },
  })
  const blocks = contentBlocks(reply)
  blocks.forEach((block, index) => {
    emit('content_block_start', { index, content_block: block.start })
    // Anthropic sends its keep-alive ping right after the first block opens.
    if (index === 0) emit('ping')
    for (const delta of block.deltas) emit('content_block_delta', { index, delta })
    emit('content_block_stop', { index })
  })
  if (blocks.length === 0) emit('ping')
  emit('message_delta', {
    delta: { stop_reason: stopReasonOf(reply), stop_sequence: null, stop_details: null },
    usage: {
      input_tokens: reply.usage.inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: reply.usage.outputTokens,
    },
  })
  emit('message_stop')
  return events
}

function messageUsage(usage: FakeUsage, outputTokens: number): JsonObject {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  }
}
