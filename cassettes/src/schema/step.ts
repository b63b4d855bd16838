import { z } from 'zod'
import { JsonValueSchema } from './body.ts'

// Message parts follow the OpenTelemetry GenAI message schema (gen_ai.input.messages /
// gen_ai.output.messages), so exporting a step as gen_ai.* spans is a rename, not a rewrite.

export const TextPartSchema = z.looseObject({ type: z.literal('text'), content: z.string() })
export const ReasoningPartSchema = z.looseObject({ type: z.literal('reasoning'), content: z.string() })
export const RefusalPartSchema = z.looseObject({ type: z.literal('refusal'), content: z.string() })
export const ToolCallPartSchema = z.looseObject({
  type: z.literal('tool_call'),
  id: z.string().optional(),
  name: z.string(),
  arguments: JsonValueSchema,
})
export const ToolCallResponsePartSchema = z.looseObject({
  type: z.literal('tool_call_response'),
  id: z.string().optional(),
  name: z.string().optional(),
  response: JsonValueSchema,
})
/** Media given inline (content not copied into the step, only described). */
export const BlobPartSchema = z.looseObject({
  type: z.literal('blob'),
  mime_type: z.string().optional(),
  modality: z.string().optional(),
})
export const UriPartSchema = z.looseObject({
  type: z.literal('uri'),
  uri: z.string(),
  mime_type: z.string().optional(),
  modality: z.string().optional(),
})

export const MessagePartSchema = z.union([
  TextPartSchema,
  ReasoningPartSchema,
  RefusalPartSchema,
  ToolCallPartSchema,
  ToolCallResponsePartSchema,
  BlobPartSchema,
  UriPartSchema,
])

export const MessageSchema = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  parts: z.array(MessagePartSchema),
  name: z.string().optional(),
})

export const ToolDefinitionSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  parameters: JsonValueSchema.optional(),
})

/** Token usage (gen_ai.usage.*). Cache and reasoning tokens are kept apart because they are priced apart. */
export const UsageSchema = z.looseObject({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative().optional(),
  cacheReadTokens: z.number().int().nonnegative().optional(),
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  reasoningTokens: z.number().int().nonnegative().optional(),
})

/** Normalised finish reasons; anything else is kept lower-cased as the provider sent it. */
export const FinishReasonSchema = z.string()

/**
 * One LLM call, provider-neutral. Field ↔ OpenTelemetry GenAI mapping:
 * provider → gen_ai.provider.name, operation → gen_ai.operation.name, model → gen_ai.request.model,
 * responseModel → gen_ai.response.model, responseId → gen_ai.response.id, input → gen_ai.input.messages
 * (the system prompt is the first message, role `system`), tools → gen_ai.tool.definitions,
 * output → gen_ai.output.messages[0].parts, finishReason → gen_ai.response.finish_reasons,
 * usage.inputTokens/outputTokens → gen_ai.usage.input_tokens/output_tokens.
 */
export const StepSchema = z.looseObject({
  provider: z.string(),
  api: z.string(),
  operation: z.string(),
  model: z.string().optional(),
  responseModel: z.string().optional(),
  responseId: z.string().optional(),
  streamed: z.boolean(),
  /** False when the response ended early (aborted or failed stream), so output and usage are partial. */
  complete: z.boolean(),
  input: z.array(MessageSchema),
  tools: z.array(ToolDefinitionSchema),
  output: z.array(MessagePartSchema),
  finishReason: FinishReasonSchema.optional(),
  usage: UsageSchema.optional(),
  /** Estimated cost in USD from the price table. */
  costUsd: z.number().nonnegative().optional(),
  /** How the cost was priced: a known model, or the conservative default for an unknown one. */
  pricing: z.enum(['table', 'unknown-model', 'no-usage']).optional(),
  latencyMs: z.number().nonnegative().optional(),
  /** Request parameters that change behaviour (gen_ai.request.*). */
  parameters: z.looseObject({
    temperature: z.number().optional(),
    topP: z.number().optional(),
    maxTokens: z.number().optional(),
    seed: z.number().optional(),
  }).optional(),
})

/**
 * The part of a step stored with each interaction: what the model did, not what it was
 * sent (the request body already holds the input), so a prompt change shows once in a diff.
 */
export const StoredStepSchema = StepSchema.pick({
  provider: true,
  api: true,
  operation: true,
  model: true,
  streamed: true,
  complete: true,
  output: true,
  finishReason: true,
  usage: true,
  costUsd: true,
  pricing: true,
})

export type TextPart = z.infer<typeof TextPartSchema>
export type ReasoningPart = z.infer<typeof ReasoningPartSchema>
export type RefusalPart = z.infer<typeof RefusalPartSchema>
export type ToolCallPart = z.infer<typeof ToolCallPartSchema>
export type ToolCallResponsePart = z.infer<typeof ToolCallResponsePartSchema>
export type BlobPart = z.infer<typeof BlobPartSchema>
export type UriPart = z.infer<typeof UriPartSchema>
export type MessagePart = z.infer<typeof MessagePartSchema>
export type Message = z.infer<typeof MessageSchema>
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>
export type Usage = z.infer<typeof UsageSchema>
export type Step = z.infer<typeof StepSchema>
export type StoredStep = z.infer<typeof StoredStepSchema>
