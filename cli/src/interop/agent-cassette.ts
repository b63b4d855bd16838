import { isJsonObject, JsonValueSchema, type Cassette, type Interaction, type JsonObject, type JsonValue, type SseEvent } from '@retrace/cassettes'
import { extractStep } from '@retrace/core'
import { storedStepOf } from '@retrace/core/internal'
import { z } from 'zod'
import { parseJsonInput, validateInput, type InputSource } from './foreign-input.ts'
import { InteropInputError } from './interop-input-error.ts'
import { spreadOffsets } from './sse-text.ts'

// agent-cassette (github.com/adarshs02/agent-cassette) records agent runs as JSON Lines, one
// event per line, at the SDK level: a `model_call` event holds the SDK call's arguments and
// the SDK's response object, not HTTP. Retrace replays HTTP, so each LLM call becomes the
// provider request and response it stands for.

/** The agent-cassette schema version this importer reads. */
export const AGENT_CASSETTE_SCHEMA_VERSION = 1

/** One agent-cassette event (schema v1). Extra fields are tolerated. */
export const AgentCassetteEventSchema = z.looseObject({
  schema_version: z.literal(AGENT_CASSETTE_SCHEMA_VERSION).optional(),
  id: z.string().min(1),
  timestamp: z.string().min(1),
  type: z.enum(['model_call', 'tool_call', 'tool_result', 'error', 'custom']),
  name: z.string().min(1),
  input: JsonValueSchema.optional(),
  output: JsonValueSchema.optional(),
  metadata: z.record(z.string(), JsonValueSchema).optional(),
  duration_ms: z.number().nonnegative().nullable().optional(),
  cost: z.number().nonnegative().nullable().optional(),
  parent_id: z.string().nullable().optional(),
  span_id: z.string().nullable().optional(),
})

/** An agent-cassette event. */
export type AgentCassetteEvent = z.infer<typeof AgentCassetteEventSchema>

/** Options for {@link fromAgentCassette}. */
export interface FromAgentCassetteOptions {
  /** The file name, for error messages. */
  readonly source?: string
  /** Told about events left out and calls that could only be approximated. */
  readonly onWarning?: (message: string) => void
}

type WireApi = 'openai.chat' | 'openai.responses' | 'anthropic'

/** SDK calls whose recorded arguments and response are already the provider's wire JSON. */
const NATIVE_CALLS: Readonly<Record<string, { api: WireApi; url: string }>> = {
  'openai.chat.completions.create': { api: 'openai.chat', url: 'https://api.openai.com/v1/chat/completions' },
  'openai.responses.create': { api: 'openai.responses', url: 'https://api.openai.com/v1/responses' },
  'anthropic.messages.create': { api: 'anthropic', url: 'https://api.anthropic.com/v1/messages' },
}

const CHAT_COMPLETIONS_URL = NATIVE_CALLS['openai.chat.completions.create']!.url

// Python SDK options that shape the HTTP call rather than being part of the body.
const TRANSPORT_OPTIONS = new Set(['extra_headers', 'extra_query', 'extra_body', 'timeout'])

// The OpenAI and Anthropic SDKs raise these for HTTP error statuses; other errors (timeouts,
// connection failures) had no response, so they become network errors.
const ERROR_STATUS: Readonly<Record<string, number>> = {
  BadRequestError: 400,
  AuthenticationError: 401,
  PermissionDeniedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  UnprocessableEntityError: 422,
  RateLimitError: 429,
  InternalServerError: 500,
  APIStatusError: 500,
  OverloadedError: 529,
}

/**
 * An agent-cassette JSONL recording as a cassette, before redaction (see `finishImport`).
 *
 * Mapping, per event:
 * - `model_call` for `openai.chat.completions.create`, `openai.responses.create` or
 *   `anthropic.messages.create`: the SDK call's keyword arguments are the request body (minus
 *   `extra_headers` / `extra_query` / `timeout`, with `extra_body` merged in), POSTed to the
 *   provider's public URL; the recorded response object is the JSON response, and a recorded
 *   stream becomes server-sent events (`data:` chunks then `[DONE]` for Chat Completions,
 *   `event: <type>` for Responses and Anthropic) spread evenly over `duration_ms`.
 * - any other `model_call`: synthesised in the OpenAI Chat Completions shape, `{ model,
 *   messages }` from the input (a string is one user message) answered by a
 *   `chat.completion` whose assistant message holds the output's text. A response that already
 *   has `choices` is used as it is.
 * - `error` events of a model call: an SDK HTTP error (`RateLimitError` → 429, …) becomes an
 *   error response, a failed stream a stream that ends in an error, anything else a network
 *   error.
 * - `tool_call`, `tool_result`, `custom` and other errors are left out (one warning): Retrace
 *   records the HTTP calls an agent makes, and tools run again on replay.
 * `duration_ms` becomes the timing and `cost` the step's `costUsd`. Span ids and timestamps
 * are not kept. Throws `InteropInputError` naming the line and field for a malformed event or
 * a schema version other than 1.
 *
 * @example
 * const event = { schema_version: 1, id: 'e1', timestamp: '2025-01-31T09:00:00Z', type: 'model_call', name: 'my_llm', input: 'Weather in Paris?', output: 'Sunny, 18 °C.', duration_ms: 420 }
 * const cassette = fromAgentCassette(`${JSON.stringify(event)}\n`, { source: 'run.jsonl' })
 * cassette.interactions.length // → 1
 * cassette.interactions[0]!.request.body // → { json: { model: 'unknown', messages: [{ role: 'user', content: 'Weather in Paris?' }] } }
 */
export function fromAgentCassette(text: string, options: FromAgentCassetteOptions = {}): Cassette {
  const input: InputSource = { format: 'agent-cassette', source: options.source ?? 'input' }
  const warn = options.onWarning ?? (() => {})
  const events = readEvents(text, input)
  const interactions: Interaction[] = []
  const skipped = new Map<string, number>()
  const synthesizedNames = new Set<string>()
  for (const event of events) {
    if (event.type === 'model_call' || (event.type === 'error' && callTypeOf(event) === 'model_call')) {
      const call = callOf(event)
      if (call.synthesized) synthesizedNames.add(event.name)
      interactions.push(interactionOf(event, call))
    } else skipped.set(event.type, (skipped.get(event.type) ?? 0) + 1)
  }
  if (synthesizedNames.size > 0) {
    warn(`${[...synthesizedNames].join(', ')}: not OpenAI or Anthropic SDK calls, so their requests and responses were synthesised in the OpenAI Chat Completions shape; replay serves them only to a request with exactly that body.`)
  }
  if (skipped.size > 0) {
    const counts = [...skipped].map(([type, count]) => `${type} ×${count}`).join(', ')
    warn(`left out ${[...skipped.values()].reduce((a, b) => a + b, 0)} event(s) that are not LLM calls (${counts}): a cassette holds the HTTP calls an agent makes, and tools run again on replay.`)
  }
  if (interactions.length === 0) {
    throw new InteropInputError({ ...input, problem: 'it has no LLM calls (model_call events) to import.', hint: 'Record the run with an agent-cassette provider integration (wrap_openai, wrap_anthropic, …) so model calls are captured.' })
  }
  return { version: 1, interactions }
}

function readEvents(text: string, input: InputSource): AgentCassetteEvent[] {
  const events: AgentCassetteEvent[] = []
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return
    const where = `line ${index + 1}`
    const raw = parseJsonInput(line, input, where)
    // A missing version is schema v1 (agent-cassette's legacy rule); anything else is refused.
    const version = isJsonObject(raw) ? raw['schema_version'] : undefined
    if (version !== undefined && version !== AGENT_CASSETTE_SCHEMA_VERSION) {
      throw new InteropInputError({
        ...input,
        field: `${where}: $.schema_version`,
        problem: `schema version ${JSON.stringify(version)} is not supported; Retrace reads agent-cassette schema v${AGENT_CASSETTE_SCHEMA_VERSION}.`,
        hint: 'Convert the file to schema v1 with agent-cassette first. Nothing was written.',
      })
    }
    events.push(validateInput(AgentCassetteEventSchema, raw, input, where))
  })
  return events
}

function callTypeOf(event: AgentCassetteEvent): JsonValue | undefined {
  const internal = event.metadata?.['_agent_cassette']
  return isJsonObject(internal) ? internal['call_type'] : undefined
}

function interactionOf(event: AgentCassetteEvent, call: Call): Interaction {
  const durationMs = Math.round(event.duration_ms ?? 0)
  const interaction: Interaction = {
    request: { method: 'POST', url: call.url, headers: { 'content-type': 'application/json' }, body: { json: call.body } },
    ...call.outcome(durationMs),
  }
  const step = extractStep(interaction)
  if (step) {
    const stored = storedStepOf(step)
    // The cost agent-cassette recorded is what the call was billed; keep it over an estimate.
    interaction.step = typeof event.cost === 'number' ? { ...stored, costUsd: event.cost } : stored
  }
  return interaction
}

type Outcome = Pick<Interaction, 'response' | 'error' | 'timing'>

interface Call {
  url: string
  body: JsonObject
  outcome: (durationMs: number) => Outcome
  /** True when the request and response had to be made up (not a provider SDK call). */
  synthesized: boolean
}

function callOf(event: AgentCassetteEvent): Call {
  const kwargs = kwargsOf(event.input)
  const operation = typeof event.metadata?.['provider'] === 'string' && typeof event.metadata['operation'] === 'string' ? `${event.metadata['provider']}.${event.metadata['operation']}` : undefined
  const native = NATIVE_CALLS[event.name] ?? (operation ? NATIVE_CALLS[operation] : undefined)
  if (native && kwargs) {
    return { url: native.url, body: requestBodyOf(kwargs), outcome: (durationMs) => outcomeOf(event, native.api, durationMs), synthesized: false }
  }
  return synthesized(event, kwargs)
}

/** The keyword arguments of a recorded SDK call (`{ args, kwargs }`), if it is one. */
function kwargsOf(input: JsonValue | undefined): JsonObject | undefined {
  if (!isJsonObject(input) || !isJsonObject(input['kwargs'])) return undefined
  return input['kwargs']
}

function requestBodyOf(kwargs: JsonObject): JsonObject {
  const body: JsonObject = {}
  for (const [key, value] of Object.entries(kwargs)) if (!TRANSPORT_OPTIONS.has(key)) body[key] = value
  const extra = kwargs['extra_body']
  return isJsonObject(extra) ? { ...body, ...extra } : body
}

function outcomeOf(event: AgentCassetteEvent, api: WireApi, durationMs: number): Outcome {
  const output = event.output
  const stream = streamOf(output)
  if (stream) {
    const events = spreadOffsets(stream.chunks.map((chunk) => sseEventOf(chunk, api)), durationMs)
    if (!stream.error && api === 'openai.chat') events.push({ t: durationMs, text: '[DONE]' })
    return {
      response: {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: { sse: events },
        ...(stream.error ? { end: { outcome: 'error', t: durationMs, message: errorMessage(stream.error) } } : {}),
      },
      timing: { latencyMs: 0, durationMs },
    }
  }
  if (event.type === 'error') return errorOutcome(output, api, durationMs)
  return jsonOutcome(unwrap(output ?? null), durationMs)
}

function jsonOutcome(json: JsonValue, durationMs: number): Outcome {
  return { response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json } }, timing: { latencyMs: durationMs, durationMs } }
}

function errorOutcome(output: JsonValue | undefined, api: WireApi, durationMs: number): Outcome {
  const failure = isJsonObject(output) ? output : {}
  const type = typeof failure['type'] === 'string' ? failure['type'] : 'Error'
  const message = typeof failure['message'] === 'string' ? failure['message'] : 'The recorded call failed.'
  const status = ERROR_STATUS[type]
  if (status === undefined) return { error: { message, name: type }, timing: { latencyMs: durationMs } }
  const json: JsonObject =
    api === 'anthropic' ? { type: 'error', error: { type: 'api_error', message } } : { error: { message, type, param: null, code: null } }
  return { response: { status, headers: { 'content-type': 'application/json' }, body: { json } }, timing: { latencyMs: durationMs, durationMs } }
}

function sseEventOf(chunk: JsonValue, api: WireApi): SseEvent {
  const data = unwrap(chunk)
  const event: SseEvent = { t: 0 }
  if (api !== 'openai.chat' && isJsonObject(data) && typeof data['type'] === 'string') event.event = data['type']
  if (typeof data === 'object' && data !== null) event.data = data
  else event.text = typeof data === 'string' ? data : JSON.stringify(data)
  return event
}

/** A recorded stream: `{ __agent_cassette_stream__: true, chunks, error? }`. */
function streamOf(output: JsonValue | undefined): { chunks: JsonValue[]; error: JsonObject | undefined } | undefined {
  if (!isJsonObject(output) || output['__agent_cassette_stream__'] !== true || !Array.isArray(output['chunks'])) return undefined
  return { chunks: output['chunks'], error: isJsonObject(output['error']) ? output['error'] : undefined }
}

/** A recorded SDK object: `{ __agent_cassette_response__: true, data }` → `data`. */
function unwrap(value: JsonValue): JsonValue {
  return isJsonObject(value) && value['__agent_cassette_response__'] === true ? (value['data'] ?? null) : value
}

function errorMessage(error: JsonObject): string {
  const type = typeof error['type'] === 'string' ? error['type'] : 'Error'
  return typeof error['message'] === 'string' ? `${type}: ${error['message']}` : type
}

/** Any other model call, in the OpenAI Chat Completions shape. */
function synthesized(event: AgentCassetteEvent, kwargs: JsonObject | undefined): Call {
  const input = event.input ?? null
  const output = event.output ?? null
  const stream = streamOf(output)
  const response = stream ? undefined : unwrap(output)
  const model = firstString(kwargs?.['model'], isJsonObject(input) ? input['model'] : undefined, event.metadata?.['model'], isJsonObject(response) ? response['model'] : undefined) ?? 'unknown'
  const chatChunks = stream && stream.chunks.every((chunk) => hasChoices(unwrap(chunk)))
  const body: JsonObject = { model, messages: messagesOf(input, kwargs), ...(chatChunks ? { stream: true } : {}) }
  return {
    url: CHAT_COMPLETIONS_URL,
    body,
    synthesized: true,
    outcome: (durationMs) => {
      if (chatChunks || (stream && event.type === 'error')) return outcomeOf(event, 'openai.chat', durationMs)
      if (event.type === 'error') return errorOutcome(output, 'openai.chat', durationMs)
      if (hasChoices(response)) return jsonOutcome(response ?? null, durationMs)
      const text = stream ? stream.chunks.map((chunk) => textOf(unwrap(chunk))).join('') : textOf(response ?? null)
      return jsonOutcome(chatCompletion(event, model, text), durationMs)
    },
  }
}

function chatCompletion(event: AgentCassetteEvent, model: string, content: string): JsonObject {
  const created = Date.parse(event.timestamp)
  return {
    id: `chatcmpl-${event.id}`,
    object: 'chat.completion',
    created: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  }
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool'])

function messagesOf(input: JsonValue, kwargs: JsonObject | undefined): JsonValue[] {
  const source = kwargs ?? (isJsonObject(input) ? input : undefined)
  const listed = source?.['messages']
  if (Array.isArray(listed)) return listed.map(messageOf)
  const prompt = firstString(source?.['prompt'], source?.['input'])
  if (prompt !== undefined) return [{ role: 'user', content: prompt }]
  if (isJsonObject(input) && Array.isArray(input['args']) && input['args'].length > 0) {
    const first = input['args'][0]!
    if (Array.isArray(first)) return first.map(messageOf)
    return [{ role: 'user', content: textOf(first) }]
  }
  return [{ role: 'user', content: textOf(input) }]
}

function messageOf(message: JsonValue): JsonValue {
  if (!isJsonObject(message)) return { role: 'user', content: textOf(message) }
  const role = typeof message['role'] === 'string' && ROLES.has(message['role']) ? message['role'] : 'user'
  const content = message['content']
  return { ...message, role, content: typeof content === 'string' || content === null ? content : textOf(content ?? '') }
}

function textOf(value: JsonValue): string {
  if (typeof value === 'string') return value
  if (value === null) return ''
  if (isJsonObject(value)) {
    const text = firstString(value['content'], value['text'], value['output'])
    if (text !== undefined) return text
  }
  return JSON.stringify(value)
}

function hasChoices(value: JsonValue | undefined): boolean {
  return isJsonObject(value) && Array.isArray(value['choices'])
}

function firstString(...values: Array<JsonValue | undefined>): string | undefined {
  return values.find((value): value is string => typeof value === 'string' && value !== '')
}
