/**
 * The provider-neutral view of a request that the reply policy works on. Each protocol
 * adapter parses its wire format into this shape; nothing here knows about HTTP.
 */

import type { JsonObject } from './json.ts'

/** A function tool the request declares, with its JSON-schema parameters. */
export interface ToolDeclaration {
  readonly name: string
  readonly parameters: JsonObject | undefined
}

export interface UserTurn {
  readonly kind: 'user'
  readonly text: string
}

export interface AssistantTurn {
  readonly kind: 'assistant'
  readonly text: string
  readonly toolCalls: readonly { readonly id: string | undefined; readonly name: string }[]
}

/** The output of one tool call, sent back by the client. */
export interface ToolResultTurn {
  readonly kind: 'tool-result'
  /** The call it answers; used to find the tool name when the protocol omits it. */
  readonly callId: string | undefined
  readonly name: string | undefined
  readonly result: unknown
}

export type ConversationTurn = UserTurn | AssistantTurn | ToolResultTurn

export interface Conversation {
  /** User, assistant and tool turns in order; system prompts are not turns. */
  readonly turns: readonly ConversationTurn[]
  readonly tools: readonly ToolDeclaration[]
  /** The request asked for visible reasoning (Anthropic extended thinking, Gemini thoughts). */
  readonly wantsThinking: boolean
}

/**
 * Text of the last user turn, or '' when the conversation has none.
 *
 * @example
 * lastUserText({ turns: [{ kind: 'user', text: 'hi' }], tools: [], wantsThinking: false }) // 'hi'
 */
export function lastUserText(conversation: Conversation): string {
  for (let index = conversation.turns.length - 1; index >= 0; index--) {
    const turn = conversation.turns[index]
    if (turn?.kind === 'user') return turn.text
  }
  return ''
}
