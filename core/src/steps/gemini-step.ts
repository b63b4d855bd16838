import type { Message, MessagePart, ToolDefinition } from '@retrace/cassettes'
import { geminiFinishReason } from './finish-reason.ts'
import { asArray, asJsonValue, asRecord, asString } from './json-guards.ts'
import { blobPart, modalityOfMime, reasoningPart, textPart, toolCallPart, toolCallResponsePart } from './message-parts.ts'
import { buildParameters, type RequestFields, type ResponseFields } from './step-fields.ts'
import { addCounts, buildUsage } from './token-usage.ts'

type JsonRecord = Readonly<Record<string, unknown>>

/**
 * Reads a Gemini `generateContent` request. The model is not in the body but in the URL,
 * so the caller passes it; `systemInstruction` becomes the first input message.
 *
 * @example
 * const fields = geminiRequestFields({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { temperature: 0 } }, 'gemini-2.5-flash')
 * fields.model // → 'gemini-2.5-flash'
 * fields.input.map((message) => message.role) // → ['system', 'user']
 * fields.parameters // → { temperature: 0 }
 */
export function geminiRequestFields(body: JsonRecord, urlModel: string | undefined): RequestFields {
  const input: Message[] = []
  const system = body['systemInstruction'] ?? body['system_instruction']
  const systemParts = typeof system === 'string' ? [textPart(system)] : geminiParts(asRecord(system)?.['parts'])
  if (systemParts.length > 0) input.push({ role: 'system', parts: systemParts })
  for (const raw of asArray(body['contents'])) {
    const content = asRecord(raw)
    if (content === undefined) continue
    input.push({ role: geminiRole(content['role']), parts: geminiParts(content['parts']) })
  }
  const config = asRecord(body['generationConfig'] ?? body['generation_config'])
  return {
    model: urlModel,
    input,
    tools: asArray(body['tools']).flatMap(geminiTools),
    parameters: buildParameters({
      temperature: config?.['temperature'],
      topP: config?.['topP'],
      maxTokens: config?.['maxOutputTokens'],
      seed: config?.['seed'],
    }),
  }
}

/**
 * Reads a Gemini `GenerateContentResponse` (or a merged stream): the first candidate's parts,
 * its finish reason and `usageMetadata`. `outputTokens` includes `thoughtsTokenCount`, which
 * Gemini reports apart from `candidatesTokenCount` but bills as output, so output tokens mean
 * the same on every provider; `inputTokens` includes tool-use prompt tokens for the same reason.
 *
 * @example
 * const fields = geminiResponseFields({
 *   responseId: 'r1', modelVersion: 'gemini-2.5-flash',
 *   candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }],
 *   usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, thoughtsTokenCount: 20, totalTokenCount: 26 },
 * })
 * fields.output // → [{ type: 'text', content: 'Hi' }]
 * fields.finishReason // → 'stop'
 * fields.usage // → { inputTokens: 5, outputTokens: 21, totalTokens: 26, reasoningTokens: 20 }
 */
export function geminiResponseFields(body: JsonRecord): ResponseFields {
  const candidates = asArray(body['candidates']).map(asRecord)
  const candidate = candidates.find((c) => (c?.['index'] ?? 0) === 0) ?? candidates[0]
  const rawParts = asRecord(candidate?.['content'])?.['parts']
  const hasFunctionCall = asArray(rawParts).some((part) => asRecord(part)?.['functionCall'] !== undefined)
  // A prompt blocked before generation has no candidate, only `promptFeedback.blockReason`.
  const blocked = candidate === undefined && asRecord(body['promptFeedback'])?.['blockReason'] !== undefined
  const finishReason =
    geminiFinishReason(candidate?.['finishReason'], hasFunctionCall) ??
    (blocked ? 'content_filter' : body['error'] !== undefined ? 'error' : undefined)
  const usage = asRecord(body['usageMetadata'])
  return {
    responseModel: asString(body['modelVersion']),
    responseId: asString(body['responseId']),
    output: geminiParts(rawParts),
    finishReason,
    usage:
      usage === undefined
        ? undefined
        : buildUsage({
            inputTokens: addCounts(usage['promptTokenCount'], usage['toolUsePromptTokenCount']),
            outputTokens: addCounts(usage['candidatesTokenCount'], usage['thoughtsTokenCount']),
            totalTokens: usage['totalTokenCount'],
            cacheReadTokens: usage['cachedContentTokenCount'],
            reasoningTokens: usage['thoughtsTokenCount'],
          }),
  }
}

function geminiRole(role: unknown): Message['role'] {
  if (role === 'model') return 'assistant'
  // Older Gemini APIs sent function results under role `function`.
  if (role === 'function' || role === 'tool') return 'tool'
  return 'user'
}

function geminiParts(parts: unknown): MessagePart[] {
  return asArray(parts).flatMap((raw): MessagePart[] => {
    const part = asRecord(raw)
    if (part === undefined) return []
    const text = asString(part['text'])
    if (text !== undefined) return [part['thought'] === true ? reasoningPart(text) : textPart(text)]
    const inline = asRecord(part['inlineData'])
    if (inline !== undefined) return [blobPart(asString(inline['mimeType']))]
    const file = asRecord(part['fileData'])
    if (file !== undefined) {
      const mimeType = asString(file['mimeType'])
      const uri = { type: 'uri' as const, uri: asString(file['fileUri']) ?? '', modality: modalityOfMime(mimeType) ?? 'document' }
      return [mimeType === undefined ? uri : { ...uri, mime_type: mimeType }]
    }
    const call = asRecord(part['functionCall'])
    if (call !== undefined) {
      return [toolCallPart(asString(call['id']), asString(call['name']) ?? '', asJsonValue(call['args'] ?? {}))]
    }
    const response = asRecord(part['functionResponse'])
    if (response !== undefined) {
      return [toolCallResponsePart(asString(response['id']), asJsonValue(response['response']), asString(response['name']))]
    }
    // Built-in code execution: the model writes code, the server runs it and reports back.
    const code = asRecord(part['executableCode'])
    if (code !== undefined) return [toolCallPart(undefined, 'code_execution', asJsonValue(code))]
    const result = asRecord(part['codeExecutionResult'])
    if (result !== undefined) return [toolCallResponsePart(undefined, asJsonValue(result), 'code_execution')]
    return []
  })
}

function geminiTools(raw: unknown): ToolDefinition[] {
  const tool = asRecord(raw)
  if (tool === undefined) return []
  const declarations = asArray(tool['functionDeclarations'] ?? tool['function_declarations']).flatMap((rawDeclaration) => {
    const declaration = asRecord(rawDeclaration)
    const name = asString(declaration?.['name'])
    if (declaration === undefined || name === undefined) return []
    const definition: ToolDefinition = { name }
    const description = asString(declaration['description'])
    if (description !== undefined) definition.description = description
    // Two spellings: an OpenAPI-subset `parameters`, or a full JSON Schema in `parametersJsonSchema`.
    const parameters = declaration['parameters'] ?? declaration['parametersJsonSchema']
    if (parameters !== undefined) definition.parameters = asJsonValue(parameters)
    return [definition]
  })
  // Built-in tools (googleSearch, codeExecution, urlContext, ...) are named by their key.
  const builtIns = Object.keys(tool)
    .filter((key) => key !== 'functionDeclarations' && key !== 'function_declarations')
    .map((name): ToolDefinition => ({ name }))
  return [...declarations, ...builtIns]
}
