import { z } from 'zod'
import { InteractionSchema, JsonValueSchema, StepSchema } from '@retrace/cassettes'

// The Retrace wire protocol, version 1: what the SDK sends to a Retrace API server and what
// it receives. PROTOCOL.md (next to package.json) is the prose version; these schemas are the
// one source of truth for both sides.

export const PROTOCOL_VERSION = 1

/** Request header carrying the API key: on the WebSocket upgrade and every HTTP request, never in a frame. */
export const API_KEY_HEADER = 'x-retrace-key'
/** Request header naming the protocol version the client speaks. */
export const PROTOCOL_HEADER = 'x-retrace-protocol'

/** Paths, appended to the base URL (which may itself carry a path prefix). */
export const STREAM_PATH = '/v1/stream'
export const EVENTS_PATH = '/v1/events'
export const POLICY_CHECK_PATH = '/v1/policy/check'

/**
 * WebSocket close codes the server uses after an `error` message (or instead of one): the
 * client treats them exactly like the matching HTTP status.
 */
export const CLOSE_CODES = {
  /** 401: the key is missing or invalid. */
  auth: 4401,
  /** 402: the account is out of credits. */
  creditsExhausted: 4402,
  /** 429: too many requests; the `error` message before it says for how long. */
  rateLimited: 4429,
} as const

/** Where a span sits in a multi-agent topology. */
export const SpanAgentSchema = z.object({
  id: z.string(),
  role: z.string().optional(),
  parentId: z.string().optional(),
})

/** Token and cost totals. */
export const TotalsSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  usd: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
})

export const ErrorInfoSchema = z.object({ type: z.string(), message: z.string() })

/**
 * Where a fork at a span starts, as the SDK counted while the run went on (PROTOCOL.md §8).
 * `step`: the 1-based LLM call from which calls go live — an `llm` span's own number (LLM
 * calls numbered in the order they completed), for other spans the number of LLM calls
 * completed before the span started, plus one. `toolCall`: for `tool()` spans their own
 * 1-based number among the run's `tool()` calls, for `agent` and `span` spans the number of
 * the next `tool()` call: tool calls from that one on run live.
 */
export const SpanForkPointSchema = z.object({
  step: z.number().int().positive(),
  toolCall: z.number().int().positive().optional(),
})

/**
 * One finished span. Spans are sent when they end (a span is one event, never a start and
 * an end to merge); the tree is rebuilt from `parentId`.
 */
export const WireSpanSchema = z.object({
  id: z.string(),
  traceId: z.string(),
  parentId: z.string().optional(),
  kind: z.enum(['llm', 'tool', 'agent', 'span', 'error']),
  name: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number().nonnegative(),
  status: z.enum(['ok', 'error']),
  input: JsonValueSchema.optional(),
  output: JsonValueSchema.optional(),
  error: ErrorInfoSchema.optional(),
  /** Input or output was cut at the configured cap. */
  truncated: z.boolean().optional(),
  agent: SpanAgentSchema.optional(),
  /** For `llm` spans: the provider-neutral step (model, messages, tool calls, usage, cost). */
  step: StepSchema.optional(),
  /** For `tool` spans: the provider's tool-call id, when the call came from a model. */
  toolCallId: z.string().optional(),
  metadata: z.record(z.string(), JsonValueSchema).optional(),
  /**
   * For `llm` spans: the HTTP exchange behind the step, as a format-v1 cassette `Interaction`
   * (redacted by the same rules as a cassette), so the server can rebuild the run as a
   * cassette (`retrace pull`, the prefix of a fork). Absent with `captureContent: false` and
   * when it is larger than `maxPayloadChars`.
   */
  interaction: InteractionSchema.optional(),
  /** Where a fork at this span starts (PROTOCOL.md §8): see `SpanForkPointSchema`. */
  forkPoint: SpanForkPointSchema.optional(),
})

export const WireTraceStartSchema = z.object({
  id: z.string(),
  name: z.string(),
  startedAt: z.string(),
  projectId: z.string().optional(),
  sessionId: z.string().optional(),
  tags: z.array(z.string()).optional(),
  metadata: z.record(z.string(), JsonValueSchema).optional(),
  input: JsonValueSchema.optional(),
  resumable: z.boolean().optional(),
  /** Set on a fork: the trace it was forked from, and the 1-based step it diverges at. */
  forkOf: z.string().optional(),
  forkPointStep: z.number().int().positive().optional(),
  forkId: z.string().optional(),
})

export const WireTraceEndSchema = z.object({
  id: z.string(),
  endedAt: z.string(),
  status: z.enum(['completed', 'failed']),
  output: JsonValueSchema.optional(),
  error: ErrorInfoSchema.optional(),
  totals: TotalsSchema,
  /** Events of this trace were dropped (buffer and journal both unavailable). */
  lossy: z.boolean().optional(),
  /** The process exited before the traced function returned. */
  terminatedEarly: z.boolean().optional(),
  truncated: z.boolean().optional(),
})

/**
 * Sent by the transport itself when events of a trace were dropped (buffer full and journal
 * unavailable, an event that could not be serialised, a batch the server refused), so the
 * trace is marked lossy even when its `trace.end` had already left. Its id is
 * `<traceId>:lossy`: one marker per trace is enough.
 */
export const WireTraceLossySchema = z.object({
  traceId: z.string(),
  /** Events of the trace dropped so far, when known (the first marker wins). */
  droppedEvents: z.number().int().nonnegative().optional(),
})

/**
 * Every event has an `id` unique across retries (`<traceId>:start`, `<spanId>`,
 * `<traceId>:end`, `<traceId>:lossy`): the server keeps the first and acknowledges
 * duplicates, so redelivery after a reconnect or a restart is exactly-once in effect.
 * Events may arrive in any order (a span before its trace's start, a recovered journal after
 * newer events).
 */
export const WireEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('trace.start'), id: z.string(), trace: WireTraceStartSchema }),
  z.object({ type: z.literal('span'), id: z.string(), span: WireSpanSchema }),
  z.object({ type: z.literal('trace.end'), id: z.string(), trace: WireTraceEndSchema }),
  z.object({ type: z.literal('trace.lossy'), id: z.string(), lossy: WireTraceLossySchema }),
])

/** Client → server: a batch of events (WebSocket frame, or the body of POST /v1/events). */
export const EventBatchSchema = z.object({
  type: z.literal('batch'),
  batchId: z.string(),
  events: z.array(WireEventSchema),
})

/**
 * Client → server, on every (re)connect and again when the list changes: the resumable
 * functions this process can re-run. The latest `register` on a connection replaces earlier ones.
 */
export const RegisterMessageSchema = z.object({
  type: z.literal('register'),
  sdk: z.string(),
  protocol: z.literal(PROTOCOL_VERSION),
  resumable: z.array(z.string()),
  /** Random per transport instance: tells two processes (or two reconnects of one) apart. */
  instanceId: z.string().optional(),
  /** e.g. `node v24.1.0`. */
  runtime: z.string().optional(),
})

/** Client → server: the answer to a server `ping`. */
export const PongMessageSchema = z.object({ type: z.literal('pong') })

/** Everything a client sends over the WebSocket. */
export const ClientMessageSchema = z.discriminatedUnion('type', [EventBatchSchema, RegisterMessageSchema, PongMessageSchema])

/** An event of a batch the server refused to store (invalid); the rest of the batch was stored. */
export const RejectedEventSchema = z.object({ id: z.string(), message: z.string() })

/**
 * Server → client: a batch was stored durably (`duplicates` were already there, `rejected`
 * were invalid and will never be stored). The client forgets the batch either way.
 */
export const AckMessageSchema = z.object({
  type: z.literal('ack'),
  batchId: z.string(),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  rejected: z.array(RejectedEventSchema).optional(),
})

/** The body of a 200 answer to POST /v1/events: the same counts as a WebSocket `ack`. */
export const EventsResponseSchema = z.object({
  batchId: z.string().optional(),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  rejected: z.array(RejectedEventSchema).optional(),
})

/** Server → client: re-run a resumable function from a fork point with a modified input. */
export const ResumeMessageSchema = z.object({
  type: z.literal('resume'),
  forkId: z.string(),
  traceId: z.string(),
  /** Trace name (the registered function); optional when the SDK still has the trace. */
  name: z.string().optional(),
  /** 1-based: steps before it are served from the recorded run, it and later steps run live. */
  forkPointStep: z.number().int().positive(),
  /** The new input: replaces the arguments (an array) or the first argument (anything else). */
  modifiedInput: JsonValueSchema,
  /** The recorded run to serve the prefix from, when the SDK no longer holds it (a cassette, format v1). */
  cassette: z.unknown().optional(),
  /** The recorded run's arguments, when the SDK no longer holds it: `modifiedInput` replaces their first one (or all, as an array). */
  originalArgs: z.array(JsonValueSchema).optional(),
  /** The recorded run's `tool()` calls in order, when the SDK no longer holds it: calls in the prefix return these outputs. */
  recordedTools: z.array(z.object({ name: z.string(), input: JsonValueSchema.optional(), output: JsonValueSchema.optional() })).optional(),
  /** 1-based: `tool()` calls from this one on run live even before `forkPointStep` (a fork at a tool or agent span). */
  forkPointToolCall: z.number().int().positive().optional(),
})

/**
 * Server → client: a refusal or a stop signal. With a `batchId` it is about that batch only
 * (`bad_request`: the client drops the batch; `server`: the client resends it); without one
 * it is about the connection, and the server closes it next (see CLOSE_CODES).
 */
export const ErrorMessageSchema = z.object({
  type: z.literal('error'),
  code: z.enum(['auth', 'credits_exhausted', 'rate_limited', 'bad_request', 'server']),
  message: z.string(),
  retryAfterSeconds: z.number().nonnegative().optional(),
  batchId: z.string().optional(),
})

/** The JSON body of a non-2xx HTTP answer (optional: the status alone decides). */
export const HttpErrorBodySchema = ErrorMessageSchema.omit({ type: true, batchId: true }).partial()

export const ServerMessageSchema = z.discriminatedUnion('type', [AckMessageSchema, ResumeMessageSchema, ErrorMessageSchema, z.object({ type: z.literal('ping') })])

/** POST /v1/policy/check — asked before each LLM call when `serverEnforcement` is on. */
export const PolicyCheckSchema = z.object({
  traceId: z.string(),
  name: z.string(),
  projectId: z.string().optional(),
  totals: TotalsSchema.extend({ steps: z.number().int().nonnegative() }),
  model: z.string().optional(),
})

export const PolicyVerdictSchema = z.object({
  verdict: z.enum(['allow', 'block', 'hold']),
  reason: z.string().optional(),
  /** For `hold`: how long to wait before asking again. */
  retryAfterMs: z.number().int().nonnegative().optional(),
})

export type SpanAgent = z.infer<typeof SpanAgentSchema>
export type SpanForkPoint = z.infer<typeof SpanForkPointSchema>
export type Totals = z.infer<typeof TotalsSchema>
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>
export type WireSpan = z.infer<typeof WireSpanSchema>
export type WireTraceStart = z.infer<typeof WireTraceStartSchema>
export type WireTraceEnd = z.infer<typeof WireTraceEndSchema>
export type WireTraceLossy = z.infer<typeof WireTraceLossySchema>
export type WireEvent = z.infer<typeof WireEventSchema>
export type EventBatch = z.infer<typeof EventBatchSchema>
export type RegisterMessage = z.infer<typeof RegisterMessageSchema>
export type PongMessage = z.infer<typeof PongMessageSchema>
export type ClientMessage = z.infer<typeof ClientMessageSchema>
export type RejectedEvent = z.infer<typeof RejectedEventSchema>
export type AckMessage = z.infer<typeof AckMessageSchema>
export type EventsResponse = z.infer<typeof EventsResponseSchema>
export type ResumeMessage = z.infer<typeof ResumeMessageSchema>
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>
export type ServerMessage = z.infer<typeof ServerMessageSchema>
export type PolicyCheck = z.infer<typeof PolicyCheckSchema>
export type PolicyVerdict = z.infer<typeof PolicyVerdictSchema>
