/** OpenAI Chat Completions, `POST /v1/chat/completions`: JSON and SSE chunks. */

import type { ParseOutcome, ProtocolAdapter } from './adapter.ts'
import type { ConversationTurn, ToolDeclaration } from './conversation.ts'
import { splitIntoFragments, splitIntoWordDeltas } from './deltas.ts'
import { openaiDialect } from './dialects.ts'
import { newId, unixSeconds } from './ids.ts'
import { isJsonObject, objectsIn, stringOrUndefined, type JsonObject } from './json.ts'
import type { PlannedReply } from './policy.ts'
import { jsonEvent, type SseEvent } from './sse.ts'
import type { FakeUsage } from './types.ts'

interface ChatStreamOptions {
  readonly includeUsage: boolean
  readonly includeObfuscation: boolean
}

export const openaiChatAdapter: ProtocolAdapter = {
  kind: 'openai-chat',
  dialect: openaiDialect,
  sseLineEnding: '\n',
  parseRequest: parseChatRequest,
}

function parseChatRequest(body: JsonObject): ParseOutcome {
  const model = stringOrUndefined(body['model'])
  if (!model) return { invalid: 'you must provide a model parameter', param: 'model' }
  if (!Array.isArray(body['messages'])) {
    return { invalid: "Missing required parameter: 'messages'.", param: 'messages', code: 'missing_required_parameter' }
  }
  const messages = objectsIn(body['messages'])
  const streamOptions = isJsonObject(body['stream_options']) ? body['stream_options'] : {}
  const options: ChatStreamOptions = {
    includeUsage: streamOptions['include_usage'] === true,
    includeObfuscation: streamOptions['include_obfuscation'] !== false,
  }
  return {
    call: {
      model,
      stream: body['stream'] === true,
      conversation: { turns: messages.flatMap(toTurns), tools: toolDeclarations(body['tools']), wantsThinking: false },
      messagesCount: messages.length,
      renderJson: (reply) => renderChatCompletion(model, reply),
      renderEvents: (reply) => renderChatChunks(model, reply, options),
    },
  }
}

function toTurns(message: JsonObject): ConversationTurn[] {
  switch (message['role']) {
    case 'user':
      return [{ kind: 'user', text: contentText(message['content']) }]
    case 'assistant':
      return [
        {
          kind: 'assistant',
          text: contentText(message['content']),
          toolCalls: objectsIn(message['tool_calls']).map((call) => ({
            id: stringOrUndefined(call['id']),
            name: (isJsonObject(call['function']) && stringOrUndefined(call['function']['name'])) || '',
          })),
        },
      ]
    case 'tool':
      return [
        {
          kind: 'tool-result',
          callId: stringOrUndefined(message['tool_call_id']),
          name: undefined,
          result: contentText(message['content']),
        },
      ]
    case 'function': // the deprecated pre-tools function calling names the function itself
      return [
        {
          kind: 'tool-result',
          callId: undefined,
          name: stringOrUndefined(message['name']),
          result: contentText(message['content']),
        },
      ]
    default: // system and developer prompts do not steer the fake model
      return []
  }
}

/** Message content is a string or an array of parts; only text parts count. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  return objectsIn(content)
    .map((part) => (part['type'] === 'text' ? (stringOrUndefined(part['text']) ?? '') : ''))
    .filter((text) => text !== '')
    .join('\n')
}

function toolDeclarations(tools: unknown): ToolDeclaration[] {
  return objectsIn(tools).flatMap((tool) => {
    const fn = tool['function']
    if (tool['type'] !== 'function' || !isJsonObject(fn)) return []
    const name = stringOrUndefined(fn['name'])
    if (!name) return []
    return [{ name, parameters: isJsonObject(fn['parameters']) ? fn['parameters'] : undefined }]
  })
}

function finishReasonOf(reply: PlannedReply): string {
  return reply.finishReason ?? (reply.toolCalls.length > 0 ? 'tool_calls' : 'stop')
}

function renderChatCompletion(model: string, reply: PlannedReply): JsonObject {
  const toolCalls = reply.toolCalls.map((call) => ({
    id: newId('openaiToolCall'),
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }))
  return {
    id: newId('chatCompletion'),
    object: 'chat.completion',
    created: unixSeconds(),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? null,
          refusal: null,
          annotations: [],
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonOf(reply),
      },
    ],
    usage: chatUsage(reply.usage),
    service_tier: 'default',
    system_fingerprint: newId('systemFingerprint'),
  }
}

function renderChatChunks(model: string, reply: PlannedReply, options: ChatStreamOptions): SseEvent[] {
  const id = newId('chatCompletion')
  const created = unixSeconds()
  const systemFingerprint = newId('systemFingerprint')
  const chunk = (choices: JsonObject[], usage: JsonObject | null): SseEvent =>
    jsonEvent({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: systemFingerprint,
      choices,
      // With include_usage every chunk carries `usage: null` and only the extra last one has numbers.
      ...(options.includeUsage ? { usage } : {}),
      ...(options.includeObfuscation ? { obfuscation: newId('obfuscation') } : {}),
    })
  const choice = (delta: JsonObject, finishReason: string | null = null): JsonObject => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  })

  const toolCallDeltas = reply.toolCalls.map((call, index) => ({
    header: { index, id: newId('openaiToolCall'), type: 'function', function: { name: call.name, arguments: '' } },
    fragments: splitIntoFragments(JSON.stringify(call.arguments)).map((fragment) => ({
      index,
      function: { arguments: fragment },
    })),
  }))

  const deltas: JsonObject[] = [{ role: 'assistant', content: reply.text === undefined ? null : '', refusal: null }]
  deltas.push(...splitIntoWordDeltas(reply.text ?? '').map((word) => ({ content: word })))
  for (const toolCall of toolCallDeltas) {
    deltas.push({ tool_calls: [toolCall.header] }, ...toolCall.fragments.map((fragment) => ({ tool_calls: [fragment] })))
  }
  const [roleDelta, firstToolCallDelta] = deltas
  if (reply.text === undefined && roleDelta && firstToolCallDelta) {
    // Like the real API, a tool-only answer announces its first call in the role chunk.
    deltas.splice(0, 2, { ...roleDelta, ...firstToolCallDelta })
  }

  const events = deltas.map((delta) => chunk([choice(delta)], null))
  events.push(chunk([choice({}, finishReasonOf(reply))], null))
  if (options.includeUsage) events.push(chunk([], chatUsage(reply.usage)))
  events.push({ data: '[DONE]' })
  return events
}

function chatUsage(usage: FakeUsage): JsonObject {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}
