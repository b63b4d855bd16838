/**
 * Public types of the fake provider: what a test configures and what it gets back.
 * The provider-neutral conversation the adapters parse into lives in `conversation.ts`.
 */

/** Which wire protocol a request spoke. */
export type FakeProviderKind = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini'

/** What a `respond` script sees about one model call. */
export interface FakeProviderRequest {
  readonly provider: FakeProviderKind
  readonly model: string
  readonly stream: boolean
  /** Text of the last user turn ('' when there is none). */
  readonly lastUserText: string
  /** Number of messages / input items / contents in the request. */
  readonly messagesCount?: number
  /** The parsed JSON request body, as sent. */
  readonly body: unknown
  /** Request headers, lower-cased names, repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>
  /** The URL path, without the query string. */
  readonly path: string
}

/** A tool call in a scripted or synthesised reply. */
export interface FakeToolCall {
  readonly name: string
  readonly arguments: Record<string, unknown>
}

/** Token counts reported back to the client. */
export interface FakeUsage {
  readonly inputTokens: number
  readonly outputTokens: number
}

/**
 * A scripted reply. Every field is optional: text is rendered before tool calls, and a
 * reply with neither text nor tool calls renders an empty text answer.
 */
export interface FakeReply {
  readonly text?: string
  readonly toolCalls?: readonly FakeToolCall[]
  /** Reasoning text; rendered as an Anthropic `thinking` block or a Gemini thought part. */
  readonly thinking?: string
  /** Provider-specific finish reason, sent verbatim (e.g. `length`, `max_tokens`, `MAX_TOKENS`). */
  readonly finishReason?: string
  readonly usage?: FakeUsage
}

/** Lets a test script the reply to a call; `undefined` falls back to the default policy. */
export type FakeResponder = (
  request: FakeProviderRequest,
) => FakeReply | undefined | Promise<FakeReply | undefined>

export interface FakeProviderOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number
  /** Interface to bind; defaults to 127.0.0.1. */
  readonly host?: string
  readonly respond?: FakeResponder
  /** Gzip JSON and SSE bodies when the client accepts it (default false). */
  readonly gzip?: boolean
  /** Delay between SSE events, in milliseconds (default 0). */
  readonly eventDelayMs?: number
  /** Reject calls without each provider's credentials header with a 401 (default true). */
  readonly requireAuth?: boolean
}

/** One HTTP request as the server received it. */
export interface LoggedRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON, or the raw text when the body was not JSON (undefined when empty). */
  readonly body: unknown
}

/** A running fake provider. */
export interface FakeProvider {
  /** Origin of the server, e.g. `http://127.0.0.1:4010`. */
  readonly url: string
  /** `${url}/v1`, for `new OpenAI({ baseURL })`. */
  readonly openaiBaseURL: string
  /** `url`, for `new Anthropic({ baseURL })`. */
  readonly anthropicBaseURL: string
  /** `url`, for `new GoogleGenAI({ httpOptions: { baseUrl } })`. */
  readonly geminiBaseURL: string
  /** Number of HTTP requests received since start or the last `reset()`. */
  readonly requestCount: number
  /** Every HTTP request received since start or the last `reset()`, oldest first. */
  readonly requests: readonly LoggedRequest[]
  /** Forgets the recorded requests. */
  reset(): void
  /** Stops listening and closes every socket, keep-alive ones included. */
  stop(): Promise<void>
}
