import { DEFAULT_PRICE_TABLE, estimateCost, type CostEstimate, type Interaction, type PriceTable, type SseEvent, type Step } from '@retrace/cassettes'
import { anthropicRequestFields, anthropicResponseFields } from './anthropic-messages-step.ts'
import { reassembleAnthropicStream } from './anthropic-messages-stream.ts'
import { detectLlmApi, type LlmApi, type LlmApiMatch } from './detect-llm-api.ts'
import { geminiChunksOfSse, mergeGeminiChunks } from './gemini-stream.ts'
import { geminiRequestFields, geminiResponseFields } from './gemini-step.ts'
import { jsonOfBody, sseEventsOfBody } from './interaction-body.ts'
import { asRecord } from './json-guards.ts'
import { reassembleOpenaiChatStream } from './openai-chat-stream.ts'
import { openaiChatRequestFields, openaiChatResponseFields } from './openai-chat-step.ts'
import { reassembleResponsesStream } from './openai-responses-stream.ts'
import { openaiResponsesRequestFields, openaiResponsesResponseFields } from './openai-responses-step.ts'
import type { RequestFields, ResponseFields } from './step-fields.ts'

/** Options for {@link extractStep}. */
export interface ExtractStepOptions {
  /** Prices used for `costUsd`; defaults to {@link DEFAULT_PRICE_TABLE}. */
  readonly priceTable?: PriceTable
}

type JsonRecord = Readonly<Record<string, unknown>>

/** How one wire API is read. Response bodies are JSON, or SSE events reassembled into that JSON first. */
interface ApiMapping {
  readonly provider: string
  readonly operation: string
  readonly request: (body: JsonRecord, match: LlmApiMatch) => RequestFields
  readonly response: (json: unknown, events: readonly SseEvent[] | undefined) => ResponseFields
}

const MAPPINGS: Readonly<Record<LlmApi, ApiMapping>> = {
  'openai.chat.completions': {
    provider: 'openai',
    operation: 'chat',
    request: (body) => openaiChatRequestFields(body),
    response: (json, events) => openaiChatResponseFields(events ? reassembleOpenaiChatStream(events) : recordOf(json)),
  },
  'openai.responses': {
    provider: 'openai',
    operation: 'chat',
    request: (body) => openaiResponsesRequestFields(body),
    response: (json, events) => openaiResponsesResponseFields(events ? reassembleResponsesStream(events) : recordOf(json)),
  },
  'anthropic.messages': {
    provider: 'anthropic',
    operation: 'chat',
    request: (body) => anthropicRequestFields(body),
    response: (json, events) => anthropicResponseFields(events ? reassembleAnthropicStream(events) : recordOf(json)),
  },
  'gemini.generateContent': {
    provider: 'gcp.gemini',
    operation: 'generate_content',
    request: (body, match) => geminiRequestFields(body, match.urlModel),
    // Without `alt=sse`, streamGenerateContent answers with a JSON array of chunks.
    response: (json, events) =>
      geminiResponseFields(
        events ? mergeGeminiChunks(geminiChunksOfSse(events)) : Array.isArray(json) ? mergeGeminiChunks(json) : recordOf(json),
      ),
  },
}

/**
 * Turns a recorded HTTP exchange into a provider-neutral step, or undefined when it is not
 * an LLM call (recognised by `POST` and URL path, never by host) or has no JSON request body.
 *
 * Streams are reassembled the way the provider's SDK would; a response cut short
 * (`response.end` set) gives `complete: false` with the partial output and usage received.
 * Error responses (status >= 400) and requests that got no response are still steps, with
 * no output and finish reason `error`. Never throws: a body it cannot make sense of yields
 * a minimal step.
 *
 * @example
 * const step = extractStep({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {},
 *     body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', model: 'gpt-4o-mini-2024-07-18',
 *     choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
 *     usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 } } } },
 * })
 * step?.output       // → [{ type: 'text', content: 'Hello!' }]
 * step?.finishReason // → 'stop'
 * step?.pricing      // → 'table'
 */
export function extractStep(interaction: Interaction, options: ExtractStepOptions = {}): Step | undefined {
  // Typed input can still be a hand-edited cassette with fields missing.
  const request = asRecord(asRecord(interaction)?.['request'])
  const method = request?.['method']
  const url = request?.['url']
  if (typeof method !== 'string' || typeof url !== 'string') return undefined
  const match = detectLlmApi(method, url)
  if (match === undefined) return undefined
  const body = asRecord(jsonOfBody(interaction.request.body))
  if (body === undefined) return undefined

  const mapping = MAPPINGS[match.api]
  const requestFields = attempt((): RequestFields => mapping.request(body, match), { input: [], tools: [] })
  const response = interaction.response
  const events = sseEventsOfBody(response?.body)
  const responseFields: ResponseFields =
    response === undefined || response.status >= 400
      ? { output: [], finishReason: 'error' }
      : attempt(() => mapping.response(jsonOfBody(response.body), events), { output: [] })

  const model = requestFields.model ?? match.urlModel
  const cost = priceStep(mapping.provider, responseFields.responseModel, model, responseFields.usage, options.priceTable)
  const latencyMs = interaction.timing?.latencyMs
  return {
    provider: mapping.provider,
    api: match.api,
    operation: mapping.operation,
    ...(model === undefined ? {} : { model }),
    ...(responseFields.responseModel === undefined ? {} : { responseModel: responseFields.responseModel }),
    ...(responseFields.responseId === undefined ? {} : { responseId: responseFields.responseId }),
    streamed: events !== undefined || requestFields.stream === true || match.urlStream === true,
    complete: response !== undefined && response.end === undefined,
    input: requestFields.input,
    tools: requestFields.tools,
    output: responseFields.output,
    ...(responseFields.finishReason === undefined ? {} : { finishReason: responseFields.finishReason }),
    ...(responseFields.usage === undefined ? {} : { usage: responseFields.usage }),
    costUsd: cost.costUsd,
    pricing: cost.pricing,
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(requestFields.parameters === undefined ? {} : { parameters: requestFields.parameters }),
  }
}

/**
 * Prices by the model that answered (a dated snapshot, or the real model behind an Azure
 * deployment name), falling back to the requested model when only that one is known.
 */
function priceStep(
  provider: string,
  responseModel: string | undefined,
  requestModel: string | undefined,
  usage: Step['usage'],
  table: PriceTable = DEFAULT_PRICE_TABLE,
): CostEstimate {
  const byResponse = estimateCost(provider, responseModel ?? requestModel, usage, table)
  if (byResponse.pricing !== 'unknown-model' || responseModel === undefined || requestModel === undefined) return byResponse
  return estimateCost(provider, requestModel, usage, table)
}

function recordOf(json: unknown): JsonRecord {
  return asRecord(json) ?? {}
}

// Provider bodies are outside our control; a shape we did not foresee must cost detail, not the recording.
function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read()
  } catch {
    return fallback
  }
}
