/**
 * The contract every wire protocol implements: parse a request body into the neutral
 * conversation, then render a planned reply as that protocol's JSON or SSE events.
 */

import type { Conversation } from './conversation.ts'
import type { ErrorDetails, HttpDialect } from './dialects.ts'
import type { JsonObject } from './json.ts'
import type { PlannedReply } from './policy.ts'
import type { SseEvent } from './sse.ts'
import type { FakeProviderKind } from './types.ts'

/** What the URL contributes to a call (Gemini puts the model and streaming mode there). */
export interface RouteParams {
  readonly model?: string
  readonly stream?: boolean
}

/** A parsed call, with renderers that remember the protocol options it asked for. */
export interface ParsedCall {
  readonly model: string
  readonly stream: boolean
  readonly conversation: Conversation
  /** Messages / input items / contents in the request. */
  readonly messagesCount: number
  renderJson(reply: PlannedReply): unknown
  renderEvents(reply: PlannedReply): SseEvent[]
}

/** A body the provider would reject with a 400. */
export interface InvalidRequest extends ErrorDetails {
  readonly invalid: string
}

export type ParseOutcome = { readonly call: ParsedCall } | InvalidRequest

export interface ProtocolAdapter {
  readonly kind: FakeProviderKind
  readonly dialect: HttpDialect
  /** Gemini frames SSE with CRLF. */
  readonly sseLineEnding: '\n' | '\r\n'
  parseRequest(body: JsonObject, route: RouteParams): ParseOutcome
}
