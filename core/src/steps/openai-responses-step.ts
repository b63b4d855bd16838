import type { Message, MessagePart, ToolDefinition } from '@retrace/cassettes'
import { responsesFinishReason } from './finish-reason.ts'
import { asArray, asJsonValue, asRecord, asString, parseJsonArguments } from './json-guards.ts'
import {
  blobPart,
  blobPartFromData,
  mediaPartFromUrl,
  reasoningPart,
  refusalPart,
  textPart,
  toolCallPart,
  toolCallResponsePart,
} from './message-parts.ts'
import { buildParameters, type RequestFields, type ResponseFields } from './step-fields.ts'
import { buildUsage } from './token-usage.ts'

type JsonRecord = Readonly<Record<string, unknown>>

/**
 * Reads an OpenAI Responses API request: `instructions` as the first (system) message, then
 * `input` (a string, or items: messages, function calls and their outputs, reasoning).
 * Consecutive assistant-side items (reasoning, a message, function calls) form one assistant
 * turn, as they do in a Chat Completions history.
 *
 * @example
 * const fields = openaiResponsesRequestFields({ model: 'gpt-5-mini', instructions: 'Be brief.', input: 'Hi' })
 * fields.input // → [{ role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]
 */
export function openaiResponsesRequestFields(body: JsonRecord): RequestFields {
  const input: Message[] = []
  const instructions = asString(body['instructions'])
  if (instructions) input.push({ role: 'system', parts: [textPart(instructions)] })
  const rawInput = body['input']
  if (typeof rawInput === 'string') input.push({ role: 'user', parts: [textPart(rawInput)] })
  else input.push(...inputItems(asArray(rawInput)))
  return {
    model: asString(body['model']),
    input,
    tools: asArray(body['tools']).flatMap((raw) => {
      const tool = responsesTool(raw)
      return tool === undefined ? [] : [tool]
    }),
    parameters: buildParameters({ temperature: body['temperature'], topP: body['top_p'], maxTokens: body['max_output_tokens'] }),
    stream: body['stream'] === true,
  }
}

/**
 * Reads an OpenAI Responses API `response` object (or one rebuilt from a stream): output
 * items in order (message text and refusals, function calls, reasoning summaries), the
 * status as a finish reason, and usage.
 *
 * @example
 * const fields = openaiResponsesResponseFields({
 *   id: 'resp_1', model: 'gpt-5-mini-2025-08-07', status: 'completed',
 *   output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] }],
 *   usage: { input_tokens: 8, output_tokens: 2, total_tokens: 10 },
 * })
 * fields.output // → [{ type: 'text', content: 'Hi' }]
 * fields.finishReason // → 'stop'
 * fields.usage // → { inputTokens: 8, outputTokens: 2, totalTokens: 10 }
 */
export function openaiResponsesResponseFields(body: JsonRecord): ResponseFields {
  const output = asArray(body['output']).flatMap((raw) => {
    const item = asRecord(raw)
    return item === undefined ? [] : outputItemParts(item)
  })
  const hasToolCall = output.some((part) => part.type === 'tool_call')
  const usage = asRecord(body['usage'])
  return {
    responseModel: asString(body['model']),
    responseId: asString(body['id']),
    output,
    finishReason: responsesFinishReason(body['status'], asRecord(body['incomplete_details'])?.['reason'], hasToolCall),
    usage:
      usage === undefined
        ? undefined
        : buildUsage({
            inputTokens: usage['input_tokens'],
            outputTokens: usage['output_tokens'],
            totalTokens: usage['total_tokens'],
            cacheReadTokens: asRecord(usage['input_tokens_details'])?.['cached_tokens'],
            cacheWriteTokens: asRecord(usage['input_tokens_details'])?.['cache_write_tokens'],
            reasoningTokens: asRecord(usage['output_tokens_details'])?.['reasoning_tokens'],
          }),
  }
}

function inputItems(items: readonly unknown[]): Message[] {
  const messages: Message[] = []
  const addAssistantPart = (part: MessagePart): void => {
    const last = messages.at(-1)
    if (last?.role === 'assistant') last.parts.push(part)
    else messages.push({ role: 'assistant', parts: [part] })
  }
  for (const raw of items) {
    const item = asRecord(raw)
    if (item === undefined) continue
    // Easy input messages (`{ role, content }`) may leave out `type: 'message'`.
    const type = asString(item['type']) ?? (item['role'] === undefined ? undefined : 'message')
    switch (type) {
      case 'message': {
        const parts = contentParts(item['content'])
        if (item['role'] === 'assistant') parts.forEach(addAssistantPart)
        else messages.push({ role: item['role'] === 'system' || item['role'] === 'developer' ? 'system' : 'user', parts })
        break
      }
      case 'function_call':
      case 'custom_tool_call':
      case 'reasoning':
        outputItemParts(item).forEach(addAssistantPart)
        break
      case 'function_call_output':
      case 'custom_tool_call_output':
        messages.push({ role: 'tool', parts: [toolCallResponsePart(asString(item['call_id']), toolOutput(item['output']))] })
        break
      default:
        // item_reference and hosted-tool items (web_search_call, ...) carry nothing to show.
        break
    }
  }
  return messages
}

/** The parts of one Responses output item (also used for assistant items replayed as input). */
function outputItemParts(item: JsonRecord): MessagePart[] {
  switch (item['type']) {
    case 'message':
      return contentParts(item['content'])
    case 'function_call':
      return [toolCallPart(asString(item['call_id']), asString(item['name']) ?? '', parseJsonArguments(item['arguments']))]
    case 'custom_tool_call':
      // Custom tools take free-form text, kept as the string the model wrote.
      return [toolCallPart(asString(item['call_id']), asString(item['name']) ?? '', asJsonValue(item['input'] ?? ''))]
    case 'reasoning': {
      // Summaries are what the API returns by default; raw reasoning text only from some models.
      const summary = joinTexts(item['summary'])
      const text = summary === '' ? joinTexts(item['content']) : summary
      return text === '' ? [] : [reasoningPart(text)]
    }
    default:
      return []
  }
}

function joinTexts(value: unknown): string {
  return asArray(value)
    .map((raw) => asString(asRecord(raw)?.['text']) ?? '')
    .filter((text) => text !== '')
    .join('\n\n')
}

function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return content === '' ? [] : [textPart(content)]
  return asArray(content).flatMap((raw): MessagePart[] => {
    const part = asRecord(raw)
    switch (part?.['type']) {
      case 'input_text':
      case 'output_text':
        return [textPart(asString(part['text']) ?? '')]
      case 'refusal':
        return [refusalPart(asString(part['refusal']) ?? '')]
      case 'input_image': {
        const url = asString(part['image_url'])
        if (url !== undefined) return [mediaPartFromUrl(url, 'image')]
        return [withFileId(blobPart(undefined, 'image'), part['file_id'])]
      }
      case 'input_file': {
        const url = asString(part['file_url'])
        if (url !== undefined) return [mediaPartFromUrl(url, 'document')]
        const data = asString(part['file_data'])
        const blob = data === undefined ? blobPart(undefined, 'document') : blobPartFromData(data, 'document')
        const filename = asString(part['filename'])
        return [withFileId(filename === undefined ? blob : { ...blob, filename }, part['file_id'])]
      }
      case 'input_audio':
        return [blobPart(undefined, 'audio')]
      default:
        return []
    }
  })
}

function withFileId<T extends MessagePart>(part: T, fileId: unknown): T {
  const id = asString(fileId)
  return id === undefined ? part : { ...part, file_id: id }
}

/** A function call output: a string, or content parts (text joined, media described). */
function toolOutput(output: unknown): ReturnType<typeof asJsonValue> {
  if (typeof output === 'string') return output
  const parts = contentParts(output)
  return parts.every((part) => part.type === 'text')
    ? parts.map((part) => (part.type === 'text' ? part.content : '')).join('')
    : asJsonValue(parts)
}

function responsesTool(raw: unknown): ToolDefinition | undefined {
  const tool = asRecord(raw)
  if (tool === undefined) return undefined
  // Hosted tools (web_search, file_search, code_interpreter, ...) have a type but no name.
  const name = asString(tool['name']) ?? asString(tool['server_label']) ?? asString(tool['type'])
  if (name === undefined) return undefined
  const definition: ToolDefinition = { name }
  const description = asString(tool['description'])
  if (description !== undefined) definition.description = description
  if (tool['parameters'] !== undefined) definition.parameters = asJsonValue(tool['parameters'])
  return definition
}
