/**
 * The deterministic reply policy: given a provider-neutral conversation, decide what the
 * fake model answers. Pure — no I/O, no randomness; volatile ids are added by the renderers.
 */

import { lastUserText, type Conversation, type ToolDeclaration, type ToolResultTurn } from './conversation.ts'
import { arrayOrEmpty, isJsonObject, type JsonObject } from './json.ts'
import type { FakeReply, FakeToolCall, FakeUsage } from './types.ts'

/** A reply ready to be rendered in any protocol. */
export interface PlannedReply {
  /** Answer text; undefined when the reply is only tool calls. */
  readonly text: string | undefined
  readonly thinking: string | undefined
  readonly toolCalls: readonly FakeToolCall[]
  /** Provider-specific override; undefined lets the renderer pick stop / tool-use. */
  readonly finishReason: string | undefined
  readonly usage: FakeUsage
}

/**
 * The default reply to a conversation:
 * - tools declared and the last user turn not yet answered by tool results → tool calls
 *   (see {@link chooseTools} and {@link synthesizeArguments});
 * - the conversation ends with tool results → `Based on <names>: <results joined with '; '>`;
 * - otherwise → `You said: <last user text>`.
 *
 * `requestBody` is the raw request text; it only feeds the input token count.
 *
 * @example
 * const reply = planDefaultReply(
 *   { turns: [{ kind: 'user', text: 'Weather in Paris?' }], tools: [], wantsThinking: false },
 *   '{"model":"m"}',
 * )
 * reply.text // 'You said: Weather in Paris?'
 */
export function planDefaultReply(conversation: Conversation, requestBody: string): PlannedReply {
  const userText = lastUserText(conversation)
  const trailingResults = trailingToolResults(conversation)
  const thinking = conversation.wantsThinking ? `Let me think about "${userText}".` : undefined

  let text: string | undefined
  let toolCalls: FakeToolCall[] = []
  if (trailingResults.length > 0) {
    text = summariseToolResults(conversation, trailingResults)
  } else if (conversation.tools.length > 0 && !userTurnAnswered(conversation)) {
    toolCalls = chooseTools(conversation.tools, userText).map((tool) => ({
      name: tool.name,
      arguments: synthesizeArguments(tool.parameters, userText),
    }))
  } else {
    text = `You said: ${userText}`
  }
  return withUsage({ text, thinking, toolCalls, finishReason: undefined }, requestBody)
}

/**
 * Turns a test's scripted reply into a renderable one, filling in usage when absent.
 * A reply with neither text nor tool calls gets empty text, so every response has content.
 *
 * @example
 * planScriptedReply({ toolCalls: [{ name: 'lookup', arguments: { id: 7 } }] }, '{}').toolCalls
 * // [{ name: 'lookup', arguments: { id: 7 } }]
 */
export function planScriptedReply(reply: FakeReply, requestBody: string): PlannedReply {
  const toolCalls = reply.toolCalls ?? []
  const planned = {
    text: reply.text ?? (toolCalls.length === 0 ? '' : undefined),
    thinking: reply.thinking,
    toolCalls,
    finishReason: reply.finishReason,
  }
  return reply.usage ? { ...planned, usage: reply.usage } : withUsage(planned, requestBody)
}

/**
 * The tools a user message asks for: every tool whose name, or name with `_` read as a
 * space, appears in the text (case-insensitive), in order of first mention; when none is
 * mentioned, the first declared tool.
 *
 * @example
 * const tools = [{ name: 'get_time', parameters: undefined }, { name: 'get_weather', parameters: undefined }]
 * chooseTools(tools, 'Get weather, then get_time').map((tool) => tool.name) // ['get_weather', 'get_time']
 * chooseTools(tools, 'Hello').map((tool) => tool.name)                      // ['get_time']
 */
export function chooseTools(tools: readonly ToolDeclaration[], userText: string): ToolDeclaration[] {
  const haystack = userText.toLowerCase()
  const mentions: { tool: ToolDeclaration; at: number }[] = []
  const seen = new Set<string>()
  for (const tool of tools) {
    if (seen.has(tool.name)) continue
    seen.add(tool.name)
    const spellings = [tool.name.toLowerCase(), tool.name.toLowerCase().replaceAll('_', ' ')]
    const positions = spellings.map((spelling) => haystack.indexOf(spelling)).filter((at) => at >= 0)
    if (positions.length > 0) mentions.push({ tool, at: Math.min(...positions) })
  }
  if (mentions.length === 0) return tools.slice(0, 1)
  // Array.prototype.sort is stable, so tools mentioned at the same spot keep declaration order.
  return mentions.sort((left, right) => left.at - right.at).map((mention) => mention.tool)
}

/**
 * Arguments for a tool call, derived from its JSON-schema `parameters` and the user text.
 * Properties are filled required-first, then in declaration order:
 * string → the last Capitalised word of the text (punctuation stripped; fallback the whole
 * text), number/integer → the first number in the text (fallback 1), boolean → true,
 * enum → its first value, array → [], object → {}. Gemini's upper-case types are accepted.
 *
 * @example
 * synthesizeArguments(
 *   { type: 'object', properties: { unit: { enum: ['c', 'f'] }, city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
 *   'Forecast for Paris over 3 days',
 * )
 * // { city: 'Paris', unit: 'c', days: 3 }
 */
export function synthesizeArguments(parameters: JsonObject | undefined, userText: string): Record<string, unknown> {
  const properties = isJsonObject(parameters?.['properties']) ? parameters['properties'] : {}
  const required = arrayOrEmpty(parameters?.['required']).filter((name) => typeof name === 'string')
  const names = new Set([...required, ...Object.keys(properties)])
  const args: Record<string, unknown> = {}
  for (const name of names) {
    const schema = properties[name]
    args[name] = valueForSchema(isJsonObject(schema) ? schema : {}, userText)
  }
  return args
}

function valueForSchema(schema: JsonObject, userText: string): unknown {
  if ('const' in schema) return schema['const']
  const enumValues = arrayOrEmpty(schema['enum'])
  if (enumValues.length > 0) return enumValues[0]

  const variants = arrayOrEmpty(schema['anyOf'] ?? schema['oneOf']).filter(isJsonObject)
  const type = schemaType(schema)
  if (type === undefined && variants[0]) return valueForSchema(variants[0], userText)

  switch (type) {
    case 'number':
      return firstNumber(userText) ?? 1
    case 'integer':
      return Math.trunc(firstNumber(userText) ?? 1)
    case 'boolean':
      return true
    case 'array':
      return []
    case 'object':
      return {}
    case 'null':
      return null
    default:
      return lastCapitalisedWord(userText) ?? userText
  }
}

/** The schema's type, lower-cased (Gemini sends `STRING`), ignoring `null` in type unions. */
function schemaType(schema: JsonObject): string | undefined {
  const declared = schema['type']
  const candidates = Array.isArray(declared) ? declared : [declared]
  const types = candidates.filter((type) => typeof type === 'string').map((type) => type.toLowerCase())
  return types.find((type) => type !== 'null') ?? types[0]
}

function lastCapitalisedWord(text: string): string | undefined {
  const words = text
    .split(/\s+/u)
    .map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((word) => /^\p{Lu}/u.test(word))
  return words.at(-1)
}

function firstNumber(text: string): number | undefined {
  // A minus sign glued to a word ("after-3") is a hyphen, not a sign.
  const match = /(?<![\p{L}\p{N}])-?\d+(?:\.\d+)?|\d+(?:\.\d+)?/u.exec(text)
  return match ? Number(match[0]) : undefined
}

/** True when tool results follow the last user turn (the model already acted on it). */
function userTurnAnswered(conversation: Conversation): boolean {
  for (let index = conversation.turns.length - 1; index >= 0; index--) {
    const turn = conversation.turns[index]
    if (turn?.kind === 'user') return false
    if (turn?.kind === 'tool-result') return true
  }
  return false
}

function trailingToolResults(conversation: Conversation): ToolResultTurn[] {
  const results: ToolResultTurn[] = []
  for (let index = conversation.turns.length - 1; index >= 0; index--) {
    const turn = conversation.turns[index]
    if (turn?.kind !== 'tool-result') break
    results.unshift(turn)
  }
  return results
}

function summariseToolResults(conversation: Conversation, results: readonly ToolResultTurn[]): string {
  // Chat, Responses and Anthropic name a result only by its call id; the call carries the name.
  const namesByCallId = new Map<string, string>()
  for (const turn of conversation.turns) {
    if (turn.kind !== 'assistant') continue
    for (const call of turn.toolCalls) if (call.id !== undefined) namesByCallId.set(call.id, call.name)
  }
  const names = results.map(
    (result) => result.name ?? (result.callId && namesByCallId.get(result.callId)) ?? result.callId ?? 'tool',
  )
  const uniqueNames = [...new Set(names)]
  return `Based on ${uniqueNames.join(', ')}: ${results.map((result) => compactJson(result.result)).join('; ')}`
}

/** Tool output as compact JSON; strings holding JSON are re-serialised, other strings kept. */
function compactJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value))
    } catch {
      return value
    }
  }
  return JSON.stringify(value) ?? String(value)
}

function withUsage(reply: Omit<PlannedReply, 'usage'>, requestBody: string): PlannedReply {
  const outputChars =
    (reply.text?.length ?? 0) +
    (reply.thinking?.length ?? 0) +
    reply.toolCalls.reduce((sum, call) => sum + call.name.length + JSON.stringify(call.arguments).length, 0)
  return {
    ...reply,
    usage: { inputTokens: estimateTokens(requestBody.length), outputTokens: estimateTokens(outputChars) },
  }
}

/**
 * A stable token estimate: a quarter of the character count, at least 1.
 *
 * @example
 * estimateTokens(10) // 3
 */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4))
}
