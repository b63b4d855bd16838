/** OpenAI Responses API, `POST /v1/responses`: JSON and the typed SSE event sequence. */

import type { ParseOutcome, ProtocolAdapter } from './adapter.ts'
import type { ConversationTurn, ToolDeclaration } from './conversation.ts'
import { splitIntoFragments, splitIntoWordDeltas } from './deltas.ts'
import { openaiDialect } from './dialects.ts'
import { newId, unixSeconds } from './ids.ts'
import { isJsonObject, objectsIn, stringOrUndefined, type JsonObject } from './json.ts'
import type { PlannedReply } from './policy.ts'
import { jsonEvent, type SseEvent } from './sse.ts'
import type { FakeUsage } from './types.ts'

/** Finish reasons that end a response as `incomplete` rather than `completed`. */
const INCOMPLETE_REASONS = new Set(['max_output_tokens', 'content_filter'])

export const openaiResponsesAdapter: ProtocolAdapter = {
  kind: 'openai-responses',
  dialect: openaiDialect,
  sseLineEnding: '\n',
  parseRequest: parseResponsesRequest,
}

function parseResponsesRequest(body: JsonObject): ParseOutcome {
  const model = stringOrUndefined(body['model'])
  if (!model) return { invalid: "Missing required parameter: 'model'.", param: 'model', code: 'missing_required_parameter' }
  const input = body['input']
  if (input !== undefined && typeof input !== 'string' && !Array.isArray(input)) {
    return { invalid: "Invalid type for 'input': expected a string or an array of input items.", param: 'input' }
  }
  const items = typeof input === 'string' ? [] : objectsIn(input)
  const turns: ConversationTurn[] = typeof input === 'string' ? [{ kind: 'user', text: input }] : items.flatMap(toTurns)
  const streamOptions = isJsonObject(body['stream_options']) ? body['stream_options'] : {}
  const includeObfuscation = streamOptions['include_obfuscation'] !== false
  return {
    call: {
      model,
      stream: body['stream'] === true,
      conversation: { turns, tools: toolDeclarations(body['tools']), wantsThinking: false },
      messagesCount: typeof input === 'string' ? 1 : items.length,
      renderJson: (reply) => new ResponseRenderer(model, body, reply).resource('final'),
      renderEvents: (reply) => new ResponseRenderer(model, body, reply).events(includeObfuscation),
    },
  }
}

function toTurns(item: JsonObject): ConversationTurn[] {
  switch (item['type']) {
    case 'function_call':
      return [
        {
          kind: 'assistant',
          text: '',
          toolCalls: [{ id: stringOrUndefined(item['call_id']), name: stringOrUndefined(item['name']) ?? '' }],
        },
      ]
    case 'function_call_output':
      return [{ kind: 'tool-result', callId: stringOrUndefined(item['call_id']), name: undefined, result: contentText(item['output']) }]
    case 'message':
    case undefined: // easy input messages omit the type
      if (item['role'] === 'user') return [{ kind: 'user', text: contentText(item['content']) }]
      if (item['role'] === 'assistant') return [{ kind: 'assistant', text: contentText(item['content']), toolCalls: [] }]
      return [] // system and developer prompts do not steer the fake model
    default:
      return []
  }
}

/** Content is a string or parts (`input_text`, `output_text`, images…); only text counts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  return objectsIn(content)
    .map((part) => stringOrUndefined(part['text']) ?? '')
    .filter((text) => text !== '')
    .join('\n')
}

function toolDeclarations(tools: unknown): ToolDeclaration[] {
  return objectsIn(tools).flatMap((tool) => {
    const name = stringOrUndefined(tool['name'])
    if (tool['type'] !== 'function' || !name) return []
    return [{ name, parameters: isJsonObject(tool['parameters']) ? tool['parameters'] : undefined }]
  })
}

/**
 * Renders one reply as a Response resource and as its SSE events. Ids and timestamps are
 * drawn once, so the streamed items and the final `response.completed` agree.
 */
class ResponseRenderer {
  readonly #model: string
  readonly #request: JsonObject
  readonly #reply: PlannedReply
  readonly #id = newId('response')
  readonly #createdAt = unixSeconds()
  readonly #messageId = newId('responseMessage')
  readonly #functionCalls: readonly FunctionCallOutput[]

  constructor(model: string, request: JsonObject, reply: PlannedReply) {
    this.#model = model
    this.#request = request
    this.#reply = reply
    this.#functionCalls = reply.toolCalls.map((call) => ({
      itemId: newId('responseFunctionCall'),
      callId: newId('openaiToolCall'),
      name: call.name,
      arguments: JSON.stringify(call.arguments),
    }))
  }

  /** The Response resource: empty and in progress at the start of a stream, or final. */
  resource(stage: 'initial' | 'final'): JsonObject {
    const reason = this.#reply.finishReason
    const incomplete = reason !== undefined && INCOMPLETE_REASONS.has(reason)
    const finalStatus = incomplete ? 'incomplete' : 'completed'
    const request = this.#request
    return {
      id: this.#id,
      object: 'response',
      created_at: this.#createdAt,
      status: stage === 'initial' ? 'in_progress' : finalStatus,
      background: false,
      completed_at: stage === 'final' && !incomplete ? unixSeconds() : null,
      error: null,
      incomplete_details: stage === 'final' && incomplete ? { reason } : null,
      instructions: request['instructions'] ?? null,
      max_output_tokens: request['max_output_tokens'] ?? null,
      max_tool_calls: request['max_tool_calls'] ?? null,
      model: this.#model,
      output: stage === 'initial' ? [] : this.#outputItems(),
      parallel_tool_calls: request['parallel_tool_calls'] ?? true,
      previous_response_id: request['previous_response_id'] ?? null,
      prompt_cache_key: request['prompt_cache_key'] ?? null,
      reasoning: { effort: null, summary: null },
      safety_identifier: request['safety_identifier'] ?? null,
      service_tier: stage === 'initial' ? 'auto' : 'default',
      store: request['store'] ?? true,
      temperature: request['temperature'] ?? 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: request['tool_choice'] ?? 'auto',
      tools: objectsIn(request['tools']).map(echoTool),
      top_logprobs: 0,
      top_p: request['top_p'] ?? 1,
      truncation: 'disabled',
      usage: stage === 'initial' ? null : responseUsage(this.#reply.usage),
      user: null,
      metadata: request['metadata'] ?? {},
    }
  }

  events(includeObfuscation: boolean): SseEvent[] {
    const payloads: JsonObject[] = []
    const emit = (type: string, fields: JsonObject): void => {
      payloads.push({ type, sequence_number: payloads.length, ...fields })
    }
    const obfuscation = (): JsonObject => (includeObfuscation ? { obfuscation: newId('obfuscation') } : {})

    emit('response.created', { response: this.resource('initial') })
    emit('response.in_progress', { response: this.resource('initial') })
    let outputIndex = 0
    const text = this.#reply.text
    if (text !== undefined) {
      const at = { item_id: this.#messageId, output_index: outputIndex, content_index: 0 }
      emit('response.output_item.added', { output_index: outputIndex, item: this.#messageItem('in_progress') })
      emit('response.content_part.added', { ...at, part: outputText('') })
      for (const delta of splitIntoWordDeltas(text)) {
        emit('response.output_text.delta', { ...at, delta, logprobs: [], ...obfuscation() })
      }
      emit('response.output_text.done', { ...at, text, logprobs: [] })
      emit('response.content_part.done', { ...at, part: outputText(text) })
      emit('response.output_item.done', { output_index: outputIndex, item: this.#messageItem('completed') })
      outputIndex++
    }
    for (const call of this.#functionCalls) {
      const at = { item_id: call.itemId, output_index: outputIndex }
      emit('response.output_item.added', { output_index: outputIndex, item: functionCallItem(call, 'in_progress') })
      for (const delta of splitIntoFragments(call.arguments)) {
        emit('response.function_call_arguments.delta', { ...at, delta, ...obfuscation() })
      }
      emit('response.function_call_arguments.done', { ...at, arguments: call.arguments })
      emit('response.output_item.done', { output_index: outputIndex, item: functionCallItem(call, 'completed') })
      outputIndex++
    }
    const final = this.resource('final')
    emit(final['status'] === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final })
    return payloads.map((payload) => jsonEvent(payload, String(payload['type'])))
  }

  #outputItems(): JsonObject[] {
    const items = this.#functionCalls.map((call) => functionCallItem(call, 'completed'))
    return this.#reply.text === undefined ? items : [this.#messageItem('completed'), ...items]
  }

  #messageItem(status: 'in_progress' | 'completed'): JsonObject {
    const content = status === 'completed' ? [outputText(this.#reply.text ?? '')] : []
    return { id: this.#messageId, type: 'message', status, content, role: 'assistant' }
  }
}

interface FunctionCallOutput {
  readonly itemId: string
  readonly callId: string
  readonly name: string
  /** The arguments as the JSON text the model "generated". */
  readonly arguments: string
}

function functionCallItem(call: FunctionCallOutput, status: 'in_progress' | 'completed'): JsonObject {
  return {
    id: call.itemId,
    type: 'function_call',
    status,
    arguments: status === 'completed' ? call.arguments : '',
    call_id: call.callId,
    name: call.name,
  }
}

function outputText(text: string): JsonObject {
  return { type: 'output_text', annotations: [], logprobs: [], text }
}

/** The response echoes function tools with their defaults filled in, as the real API does. */
function echoTool(tool: JsonObject): JsonObject {
  if (tool['type'] !== 'function') return tool
  return {
    type: 'function',
    name: tool['name'],
    description: tool['description'] ?? null,
    parameters: tool['parameters'] ?? null,
    strict: tool['strict'] ?? true,
  }
}

function responseUsage(usage: FakeUsage): JsonObject {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  }
}
