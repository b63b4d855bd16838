import { promptTokens, type Message, type MessagePart, type Step } from '@retrace/cassettes'

/** OpenTelemetry span attribute values, as `@opentelemetry/api`'s `Attributes` accepts them. */
export type GenAIAttributes = Record<string, string | number | boolean | string[]>

/** Options for {@link toGenAIAttributes}. */
export interface GenAIAttributeOptions {
  /**
   * Include the opt-in content attributes (messages, system instructions, tool definitions).
   * They can hold personal data; default true because a cassette already holds them.
   */
  readonly content?: boolean
}

// APIs that take the system prompt as a parameter of its own rather than as a chat message.
// OTel reports those in `gen_ai.system_instructions`, and chat-history system messages in
// `gen_ai.input.messages`. Steps put both first in `input`, so the API decides which it was.
const SEPARATE_SYSTEM_PROMPT: ReadonlySet<string> = new Set(['anthropic.messages', 'gemini.generateContent', 'openai.responses'])

/**
 * A step as OpenTelemetry GenAI semantic-convention attributes for a `chat` /
 * `generate_content` span. Content attributes are JSON strings following the GenAI message
 * schemas. `gen_ai.usage.input_tokens` counts every input token, cached ones included (so it
 * is Anthropic's `input_tokens` plus its cache reads and writes).
 *
 * @example
 * import { extractStep } from './extract-step.ts'
 * const step = extractStep({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 } } } },
 * })!
 * const attributes = toGenAIAttributes(step)
 * attributes['gen_ai.provider.name'] // → 'openai'
 * attributes['gen_ai.request.model'] // → 'gpt-4o'
 * attributes['gen_ai.response.finish_reasons'] // → ['stop']
 * attributes['gen_ai.usage.input_tokens'] // → 12
 * attributes['gen_ai.input.messages'] // → '[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]'
 */
export function toGenAIAttributes(step: Step, options: GenAIAttributeOptions = {}): GenAIAttributes {
  const attributes: GenAIAttributes = {
    'gen_ai.provider.name': step.provider,
    'gen_ai.operation.name': step.operation,
  }
  const set = (key: string, value: string | number | boolean | string[] | undefined): void => {
    if (value !== undefined) attributes[key] = value
  }
  set('gen_ai.request.model', step.model)
  set('gen_ai.request.temperature', step.parameters?.temperature)
  set('gen_ai.request.top_p', step.parameters?.topP)
  set('gen_ai.request.max_tokens', step.parameters?.maxTokens)
  set('gen_ai.request.seed', step.parameters?.seed)
  set('gen_ai.request.stream', step.streamed)
  set('gen_ai.response.model', step.responseModel)
  set('gen_ai.response.id', step.responseId)
  set('gen_ai.response.finish_reasons', step.finishReason === undefined ? undefined : [step.finishReason])
  if (step.usage !== undefined) {
    set('gen_ai.usage.input_tokens', promptTokens(step.provider, step.usage))
    set('gen_ai.usage.output_tokens', step.usage.outputTokens)
    set('gen_ai.usage.cache_read.input_tokens', step.usage.cacheReadTokens)
    set('gen_ai.usage.cache_creation.input_tokens', step.usage.cacheWriteTokens)
    set('gen_ai.usage.reasoning.output_tokens', step.usage.reasoningTokens)
  }
  if (options.content === false) return attributes

  const { systemInstructions, messages } = splitSystemInstructions(step)
  if (systemInstructions.length > 0) set('gen_ai.system_instructions', JSON.stringify(systemInstructions))
  if (messages.length > 0) set('gen_ai.input.messages', JSON.stringify(messages))
  if (step.output.length > 0) set('gen_ai.output.messages', JSON.stringify([outputMessage(step)]))
  if (step.tools.length > 0) {
    set('gen_ai.tool.definitions', JSON.stringify(step.tools.map((tool) => ({ type: 'function', ...tool }))))
  }
  return attributes
}

function splitSystemInstructions(step: Step): { systemInstructions: MessagePart[]; messages: Message[] } {
  if (!SEPARATE_SYSTEM_PROMPT.has(step.api)) return { systemInstructions: [], messages: step.input }
  const firstChat = step.input.findIndex((message) => message.role !== 'system')
  const split = firstChat === -1 ? step.input.length : firstChat
  return {
    systemInstructions: step.input.slice(0, split).flatMap((message) => message.parts),
    messages: step.input.slice(split),
  }
}

function outputMessage(step: Step): { role: 'assistant'; parts: MessagePart[]; finish_reason?: string } {
  if (step.finishReason === undefined) return { role: 'assistant', parts: step.output }
  // The output-message schema spells the tool-call reason in the singular.
  const finishReason = step.finishReason === 'tool_calls' ? 'tool_call' : step.finishReason
  return { role: 'assistant', parts: step.output, finish_reason: finishReason }
}
