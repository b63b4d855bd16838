import type { Message, MessagePart, ToolDefinition } from '@retrace/cassettes'
import { anthropicFinishReason } from './finish-reason.ts'
import { asArray, asJsonValue, asRecord, asString } from './json-guards.ts'
import { blobPart, mediaPartFromUrl, reasoningPart, textPart, toolCallPart, toolCallResponsePart } from './message-parts.ts'
import { buildParameters, type RequestFields, type ResponseFields } from './step-fields.ts'
import { addCounts, buildUsage } from './token-usage.ts'

type JsonRecord = Readonly<Record<string, unknown>>

/**
 * Reads an Anthropic Messages request. The `system` parameter (a string or text blocks)
 * becomes the first input message, role `system`; `tool_result` blocks stay inside the user
 * message that carries them, as `tool_call_response` parts.
 *
 * @example
 * const fields = anthropicRequestFields({ model: 'claude-sonnet-4-5', max_tokens: 1024, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] })
 * fields.input // → [{ role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]
 * fields.parameters // → { maxTokens: 1024 }
 */
export function anthropicRequestFields(body: JsonRecord): RequestFields {
  const input: Message[] = []
  const system = blockParts(body['system'])
  if (system.length > 0) input.push({ role: 'system', parts: system })
  for (const raw of asArray(body['messages'])) {
    const message = asRecord(raw)
    if (message === undefined) continue
    const role = message['role'] === 'assistant' || message['role'] === 'system' ? message['role'] : 'user'
    input.push({ role, parts: blockParts(message['content']) })
  }
  return {
    model: asString(body['model']),
    input,
    tools: asArray(body['tools']).flatMap((raw) => {
      const tool = anthropicTool(raw)
      return tool === undefined ? [] : [tool]
    }),
    parameters: buildParameters({ temperature: body['temperature'], topP: body['top_p'], maxTokens: body['max_tokens'] }),
    stream: body['stream'] === true,
  }
}

/**
 * Reads an Anthropic `message` (or a reassembled stream): every content block in order
 * (thinking → reasoning, text, tool_use → tool_call), the stop reason and usage.
 * `usage.inputTokens` is Anthropic's own `input_tokens`, which EXCLUDES cache reads and
 * writes; `totalTokens` adds them back, so it is every token the call processed.
 *
 * @example
 * const fields = anthropicResponseFields({ id: 'msg_1', model: 'claude-sonnet-4-5-20250929', stop_reason: 'end_turn', content: [{ type: 'text', text: 'Hi' }], usage: { input_tokens: 12, output_tokens: 3 } })
 * fields.output // → [{ type: 'text', content: 'Hi' }]
 * fields.finishReason // → 'stop'
 * fields.usage // → { inputTokens: 12, outputTokens: 3, totalTokens: 15 }
 */
export function anthropicResponseFields(body: JsonRecord): ResponseFields {
  const usage = asRecord(body['usage'])
  const inputTokens = usage?.['input_tokens']
  const outputTokens = usage?.['output_tokens']
  const cacheRead = usage?.['cache_read_input_tokens']
  const cacheWrite = usage?.['cache_creation_input_tokens']
  return {
    responseModel: asString(body['model']),
    responseId: asString(body['id']),
    output: blockParts(body['content']),
    finishReason: anthropicFinishReason(body['stop_reason']) ?? (body['error'] !== undefined ? 'error' : undefined),
    usage:
      usage === undefined
        ? undefined
        : buildUsage({
            inputTokens,
            outputTokens,
            totalTokens: addCounts(inputTokens, cacheRead, cacheWrite, outputTokens),
            cacheReadTokens: cacheRead,
            cacheWriteTokens: cacheWrite,
            reasoningTokens: asRecord(usage['output_tokens_details'])?.['thinking_tokens'],
          }),
  }
}

/** Content (a string or content blocks) as message parts, block order preserved. */
function blockParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return content === '' ? [] : [textPart(content)]
  return asArray(content).flatMap((raw) => {
    const block = asRecord(raw)
    return block === undefined ? [] : blockPart(block)
  })
}

function blockPart(block: JsonRecord): MessagePart[] {
  const type = asString(block['type']) ?? ''
  switch (type) {
    case 'text':
      return [textPart(asString(block['text']) ?? '')]
    case 'thinking':
      return [reasoningPart(asString(block['thinking']) ?? '')]
    case 'redacted_thinking':
      // Encrypted reasoning: nothing to show, but the block's presence (and place) matters.
      return [{ ...reasoningPart(''), redacted: true }]
    case 'tool_use':
    case 'server_tool_use':
      return [toolCallPart(asString(block['id']), asString(block['name']) ?? '', asJsonValue(block['input'] ?? {}))]
    case 'tool_result': {
      const part = toolCallResponsePart(asString(block['tool_use_id']), toolResultContent(block['content']))
      return [block['is_error'] === true ? { ...part, is_error: true } : part]
    }
    case 'image':
      return [sourcePart(asRecord(block['source']), 'image')]
    case 'document':
      return [sourcePart(asRecord(block['source']), 'document')]
    default:
      // Server tool results (web_search_tool_result, code_execution_tool_result, ...) answer a
      // server_tool_use block by id; their content is already JSON.
      if (type.endsWith('_tool_result')) {
        return [toolCallResponsePart(asString(block['tool_use_id']), asJsonValue(block['content']), type)]
      }
      return []
  }
}

function sourcePart(source: JsonRecord | undefined, modality: string): MessagePart {
  const mediaType = asString(source?.['media_type'])
  switch (source?.['type']) {
    case 'url':
      return mediaPartFromUrl(asString(source['url']) ?? '', modality, mediaType)
    case 'file':
      return { ...blobPart(mediaType, modality), file_id: asString(source['file_id']) ?? '' }
    case 'text':
      return blobPart(mediaType ?? 'text/plain', modality)
    default:
      return blobPart(mediaType, modality)
  }
}

/** A tool result's content: text blocks joined into a string, anything richer kept as parts. */
function toolResultContent(content: unknown): ReturnType<typeof asJsonValue> {
  if (content === undefined) return ''
  if (typeof content === 'string') return content
  const blocks = asArray(content).map(asRecord)
  if (blocks.every((block) => block?.['type'] === 'text')) {
    return blocks.map((block) => asString(block?.['text']) ?? '').join('')
  }
  return asJsonValue(blockParts(content))
}

function anthropicTool(raw: unknown): ToolDefinition | undefined {
  const tool = asRecord(raw)
  const name = asString(tool?.['name'])
  if (tool === undefined || name === undefined) return undefined
  const definition: ToolDefinition = { name }
  const description = asString(tool['description'])
  if (description !== undefined) definition.description = description
  // Server tools (web_search, code_execution, ...) have a `type` and no input schema.
  if (tool['input_schema'] !== undefined) definition.parameters = asJsonValue(tool['input_schema'])
  return definition
}
