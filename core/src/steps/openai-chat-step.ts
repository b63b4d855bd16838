import type { Message, MessagePart, ToolDefinition } from '@retrace/cassettes'
import { openaiFinishReason } from './finish-reason.ts'
import { asArray, asJsonValue, asRecord, asString, parseJsonArguments } from './json-guards.ts'
import { blobPart, blobPartFromData, mediaPartFromUrl, reasoningPart, refusalPart, textPart, toolCallPart, toolCallResponsePart } from './message-parts.ts'
import { buildParameters, type RequestFields, type ResponseFields } from './step-fields.ts'
import { buildUsage } from './token-usage.ts'

type JsonRecord = Readonly<Record<string, unknown>>

/**
 * Reads an OpenAI Chat Completions request: every message (system and developer messages
 * become role `system`), declared tools and sampling parameters.
 *
 * @example
 * const fields = openaiChatRequestFields({ model: 'gpt-4o', temperature: 0.2, messages: [{ role: 'system', content: 'Be brief.' }] })
 * fields.model // → 'gpt-4o'
 * fields.input // → [{ role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] }]
 * fields.tools // → []
 * fields.parameters // → { temperature: 0.2 }
 */
export function openaiChatRequestFields(body: JsonRecord): RequestFields {
  const input = asArray(body['messages']).flatMap((raw) => {
    const message = chatMessage(raw)
    return message === undefined ? [] : [message]
  })
  const tools = [...asArray(body['tools']).map(chatTool), ...asArray(body['functions']).map(functionDefinition)].filter(
    (tool): tool is ToolDefinition => tool !== undefined,
  )
  return {
    model: asString(body['model']),
    input,
    tools,
    parameters: buildParameters({
      temperature: body['temperature'],
      topP: body['top_p'],
      // `max_tokens` is deprecated in favour of `max_completion_tokens`; either may be sent.
      maxTokens: body['max_completion_tokens'] ?? body['max_tokens'],
      seed: body['seed'],
    }),
    stream: body['stream'] === true,
  }
}

/**
 * Reads an OpenAI Chat Completions response (or a reassembled stream): the first choice's
 * message as output parts, its finish reason and the token usage.
 *
 * @example
 * const fields = openaiChatResponseFields({
 *   id: 'chatcmpl-1', model: 'gpt-4o-2024-08-06',
 *   choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
 *   usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
 * })
 * fields.output // → [{ type: 'text', content: 'Hi' }]
 * fields.finishReason // → 'stop'
 * fields.usage // → { inputTokens: 9, outputTokens: 1, totalTokens: 10 }
 */
export function openaiChatResponseFields(body: JsonRecord): ResponseFields {
  const choices = asArray(body['choices']).map(asRecord)
  // Steps describe one generation; with `n > 1` the first choice stands for the call.
  const choice = choices.find((c) => c?.['index'] === 0) ?? choices[0]
  const message = asRecord(choice?.['message'])
  const finishReason = openaiFinishReason(choice?.['finish_reason']) ?? (body['error'] !== undefined ? 'error' : undefined)
  return {
    responseModel: asString(body['model']),
    responseId: asString(body['id']),
    output: message === undefined ? [] : assistantParts(message),
    finishReason,
    usage: chatUsage(body['usage']),
  }
}

function chatMessage(raw: unknown): Message | undefined {
  const message = asRecord(raw)
  if (message === undefined) return undefined
  const name = asString(message['name'])
  const withName = (m: Message): Message => (name === undefined ? m : { ...m, name })
  switch (message['role']) {
    case 'system':
    case 'developer':
      return withName({ role: 'system', parts: contentParts(message['content']) })
    case 'assistant':
      return withName({ role: 'assistant', parts: assistantParts(message) })
    case 'tool':
      return {
        role: 'tool',
        parts: [toolCallResponsePart(asString(message['tool_call_id']), toolResultContent(message['content']))],
      }
    case 'function':
      // Legacy `functions` API: the result names the function instead of a call id.
      return { role: 'tool', parts: [toolCallResponsePart(undefined, toolResultContent(message['content']), name)] }
    default:
      // `user`, or a role this code does not know yet: shown as user input rather than lost.
      return withName({ role: 'user', parts: contentParts(message['content']) })
  }
}

/** Parts of an assistant message, in the order the SDK exposes them: reasoning, text, refusal, tool calls. */
function assistantParts(message: JsonRecord): MessagePart[] {
  const parts: MessagePart[] = []
  // Not OpenAI itself: OpenAI-compatible servers (DeepSeek, OpenRouter, vLLM) put reasoning here.
  const reasoning = asString(message['reasoning_content']) ?? asString(message['reasoning'])
  if (reasoning) parts.push(reasoningPart(reasoning))
  parts.push(...contentParts(message['content']))
  const refusal = asString(message['refusal'])
  if (refusal) parts.push(refusalPart(refusal))
  for (const raw of asArray(message['tool_calls'])) {
    const part = toolCall(raw)
    if (part !== undefined) parts.push(part)
  }
  const functionCall = asRecord(message['function_call'])
  if (functionCall !== undefined) {
    parts.push(toolCallPart(undefined, asString(functionCall['name']) ?? '', parseJsonArguments(functionCall['arguments'])))
  }
  const audio = asRecord(message['audio'])
  if (audio !== undefined) {
    const transcript = asString(audio['transcript'])
    parts.push(transcript === undefined ? blobPart(undefined, 'audio') : { ...blobPart(undefined, 'audio'), transcript })
  }
  return parts
}

function toolCall(raw: unknown): MessagePart | undefined {
  const call = asRecord(raw)
  if (call === undefined) return undefined
  const id = asString(call['id'])
  const custom = asRecord(call['custom'])
  if (custom !== undefined) {
    // Custom tools take free-form text, so the input is kept as the string the model wrote.
    return toolCallPart(id, asString(custom['name']) ?? '', asJsonValue(custom['input'] ?? ''))
  }
  const fn = asRecord(call['function'])
  return toolCallPart(id, asString(fn?.['name']) ?? '', parseJsonArguments(fn?.['arguments']))
}

function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return content === '' ? [] : [textPart(content)]
  return asArray(content).flatMap((raw): MessagePart[] => {
    const part = asRecord(raw)
    switch (part?.['type']) {
      case 'text':
        return [textPart(asString(part['text']) ?? '')]
      case 'refusal':
        return [refusalPart(asString(part['refusal']) ?? '')]
      case 'image_url': {
        const url = asString(asRecord(part['image_url'])?.['url'])
        return url === undefined ? [] : [mediaPartFromUrl(url, 'image')]
      }
      case 'input_audio': {
        const format = asString(asRecord(part['input_audio'])?.['format'])
        return [blobPart(format === undefined ? undefined : `audio/${format}`, 'audio')]
      }
      case 'file':
        return [filePart(asRecord(part['file']))]
      default:
        return []
    }
  })
}

function filePart(file: JsonRecord | undefined): MessagePart {
  const data = asString(file?.['file_data'])
  const part = data === undefined ? blobPart(undefined, 'document') : blobPartFromData(data, 'document')
  // The schema has no `file` part yet; a blob that names the uploaded file is the closest fit.
  const fileId = asString(file?.['file_id'])
  const filename = asString(file?.['filename'])
  return { ...part, ...(fileId === undefined ? {} : { file_id: fileId }), ...(filename === undefined ? {} : { filename }) }
}

function toolResultContent(content: unknown): string {
  if (typeof content === 'string') return content
  return asArray(content)
    .map((raw) => asString(asRecord(raw)?.['text']) ?? '')
    .join('')
}

function chatTool(raw: unknown): ToolDefinition | undefined {
  const tool = asRecord(raw)
  if (tool === undefined) return undefined
  if (tool['type'] === 'custom') return functionDefinition(tool['custom'])
  return functionDefinition(tool['function'])
}

function functionDefinition(raw: unknown): ToolDefinition | undefined {
  const fn = asRecord(raw)
  const name = asString(fn?.['name'])
  if (fn === undefined || name === undefined) return undefined
  const tool: ToolDefinition = { name }
  const description = asString(fn['description'])
  if (description !== undefined) tool.description = description
  if (fn['parameters'] !== undefined) tool.parameters = asJsonValue(fn['parameters'])
  return tool
}

function chatUsage(raw: unknown): ResponseFields['usage'] {
  const usage = asRecord(raw)
  if (usage === undefined) return undefined
  const prompt = asRecord(usage['prompt_tokens_details'])
  const completion = asRecord(usage['completion_tokens_details'])
  return buildUsage({
    inputTokens: usage['prompt_tokens'],
    outputTokens: usage['completion_tokens'],
    totalTokens: usage['total_tokens'],
    cacheReadTokens: prompt?.['cached_tokens'],
    cacheWriteTokens: prompt?.['cache_write_tokens'],
    reasoningTokens: completion?.['reasoning_tokens'],
  })
}
