/**
 * Gemini, `POST /v1beta/models/{model}:generateContent` (JSON) and
 * `:streamGenerateContent?alt=sse` (SSE, one GenerateContentResponse per event).
 */

import type { ParseOutcome, ProtocolAdapter, RouteParams } from './adapter.ts'
import type { ConversationTurn, ToolDeclaration } from './conversation.ts'
import { splitIntoWordDeltas } from './deltas.ts'
import { geminiDialect } from './dialects.ts'
import { newId } from './ids.ts'
import { isJsonObject, objectsIn, stringOrUndefined, type JsonObject } from './json.ts'
import type { PlannedReply } from './policy.ts'
import { jsonEvent, type SseEvent } from './sse.ts'
import type { FakeUsage } from './types.ts'

export const geminiAdapter: ProtocolAdapter = {
  kind: 'gemini',
  dialect: geminiDialect,
  sseLineEnding: '\r\n',
  parseRequest: parseGenerateContentRequest,
}

function parseGenerateContentRequest(body: JsonObject, route: RouteParams): ParseOutcome {
  const model = route.model ?? ''
  if (!Array.isArray(body['contents'])) return { invalid: '* GenerateContentRequest.contents: contents is not specified' }
  const contents = objectsIn(body['contents'])
  const generationConfig = isJsonObject(body['generationConfig']) ? body['generationConfig'] : {}
  const thinkingConfig = isJsonObject(generationConfig['thinkingConfig']) ? generationConfig['thinkingConfig'] : {}
  return {
    call: {
      model,
      stream: route.stream === true,
      conversation: {
        turns: contents.flatMap(toTurns),
        tools: toolDeclarations(body['tools']),
        wantsThinking: thinkingConfig['includeThoughts'] === true,
      },
      messagesCount: contents.length,
      renderJson: (reply) => renderResponse(model, reply),
      renderEvents: (reply) => renderResponseChunks(model, reply),
    },
  }
}

function toTurns(content: JsonObject): ConversationTurn[] {
  const parts = objectsIn(content['parts'])
  // Thought summaries echoed back in history are not part of what anyone said.
  const text = parts
    .filter((part) => part['thought'] !== true)
    .map((part) => stringOrUndefined(part['text']))
    .filter((partText) => partText !== undefined)
    .join('')
  if (content['role'] === 'model') {
    const toolCalls = parts
      .map((part) => part['functionCall'])
      .filter(isJsonObject)
      .map((call) => ({ id: stringOrUndefined(call['id']), name: stringOrUndefined(call['name']) ?? '' }))
    return [{ kind: 'assistant', text, toolCalls }]
  }
  const results: ConversationTurn[] = parts
    .map((part) => part['functionResponse'])
    .filter(isJsonObject)
    .map((response) => ({
      kind: 'tool-result',
      callId: stringOrUndefined(response['id']),
      name: stringOrUndefined(response['name']),
      result: response['response'],
    }))
  const hasText = parts.some((part) => typeof part['text'] === 'string')
  return hasText || results.length === 0 ? [...results, { kind: 'user', text }] : results
}

function toolDeclarations(tools: unknown): ToolDeclaration[] {
  return objectsIn(tools)
    .flatMap((tool) => objectsIn(tool['functionDeclarations']))
    .flatMap((declaration) => {
      const name = stringOrUndefined(declaration['name'])
      if (!name) return []
      const parameters = declaration['parametersJsonSchema'] ?? declaration['parameters']
      return [{ name, parameters: isJsonObject(parameters) ? parameters : undefined }]
    })
}

function replyParts(reply: PlannedReply): JsonObject[] {
  const parts: JsonObject[] = []
  if (reply.thinking !== undefined) parts.push({ text: reply.thinking, thought: true })
  if (reply.text !== undefined) parts.push({ text: reply.text })
  return [...parts, ...functionCallParts(reply)]
}

function functionCallParts(reply: PlannedReply): JsonObject[] {
  return reply.toolCalls.map((call) => ({ functionCall: { name: call.name, args: call.arguments } }))
}

function renderResponse(model: string, reply: PlannedReply): JsonObject {
  return {
    candidates: [
      { content: { parts: replyParts(reply), role: 'model' }, finishReason: reply.finishReason ?? 'STOP', index: 0 },
    ],
    usageMetadata: usageMetadata(reply.usage, 'final'),
    modelVersion: model,
    createTime: new Date().toISOString(),
    responseId: newId('geminiResponse'),
  }
}

/**
 * One chunk per word of thought and text; function calls arrive whole, together, in one
 * chunk (Gemini does not stream arguments). The last chunk carries the finish reason and
 * the full usage; earlier ones only the prompt count, as the real API does.
 */
function renderResponseChunks(model: string, reply: PlannedReply): SseEvent[] {
  const responseId = newId('geminiResponse')
  const createTime = new Date().toISOString()
  const chunkParts: JsonObject[][] = [
    ...splitIntoWordDeltas(reply.thinking ?? '').map((text) => [{ text, thought: true }]),
    ...splitIntoWordDeltas(reply.text ?? '').map((text) => [{ text }]),
  ]
  const functionCalls = functionCallParts(reply)
  if (functionCalls.length > 0) chunkParts.push(functionCalls)
  if (chunkParts.length === 0) chunkParts.push([{ text: '' }])

  return chunkParts.map((parts, index) => {
    const last = index === chunkParts.length - 1
    const candidate = { content: { parts, role: 'model' }, ...(last ? { finishReason: reply.finishReason ?? 'STOP' } : {}), index: 0 }
    return jsonEvent({
      candidates: [candidate],
      usageMetadata: usageMetadata(reply.usage, last ? 'final' : 'partial'),
      modelVersion: model,
      createTime,
      responseId,
    })
  })
}

function usageMetadata(usage: FakeUsage, stage: 'partial' | 'final'): JsonObject {
  const promptTokensDetails = [{ modality: 'TEXT', tokenCount: usage.inputTokens }]
  if (stage === 'partial') {
    return { promptTokenCount: usage.inputTokens, totalTokenCount: usage.inputTokens, promptTokensDetails }
  }
  return {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: usage.outputTokens,
    totalTokenCount: usage.inputTokens + usage.outputTokens,
    promptTokensDetails,
  }
}
