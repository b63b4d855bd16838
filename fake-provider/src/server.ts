/** The HTTP server: routing, credentials, body parsing, fault injection and delivery. */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

import { serializeSseEvent } from '@retrace/cassettes'

import type { ProtocolAdapter, RouteParams } from './adapter.ts'
import { anthropicAdapter } from './anthropic.ts'
import { lastUserText } from './conversation.ts'
import { anthropicDialect, geminiDialect, openaiDialect, type ErrorDetails, type HttpDialect } from './dialects.ts'
import { detectFault } from './faults.ts'
import { geminiAdapter } from './gemini.ts'
import { openStreamingBody, sendJson } from './http-response.ts'
import { isJsonObject, type JsonObject } from './json.ts'
import { openaiChatAdapter } from './openai-chat.ts'
import { openaiResponsesAdapter } from './openai-responses.ts'
import { planDefaultReply, planScriptedReply } from './policy.ts'
import type { SseEvent } from './sse.ts'
import type { FakeProvider, FakeProviderOptions, FakeResponder, LoggedRequest } from './types.ts'

interface ServerSettings {
  readonly respond: FakeResponder | undefined
  readonly gzip: boolean
  readonly eventDelayMs: number
  readonly requireAuth: boolean
  /** Aborted by `stop()`, so pending event delays end with the server. */
  readonly lifetime: AbortSignal
}

/**
 * Starts a fake LLM provider on 127.0.0.1 that speaks the OpenAI Chat Completions,
 * OpenAI Responses, Anthropic Messages and Gemini generateContent wire protocols (JSON
 * and SSE) well enough for the official SDKs, pointed at it through their base URL.
 *
 * Replies are deterministic, except for the values that are volatile in the real APIs
 * (response / message / tool-call ids, `created` timestamps, `system_fingerprint`,
 * thinking signatures, SSE `obfuscation`, and the per-call headers real providers send:
 * `x-request-id` / `request-id`, rate-limit counters and resets, `anthropic-organization-id`,
 * `cf-ray`, a `set-cookie`, processing times):
 * - If the request declares tools and the last user turn has not been answered by tool
 *   results yet, the reply is tool calls: one for every tool whose name (or name with `_`
 *   read as a space) appears in the last user message, case-insensitively, in order of
 *   first mention (parallel calls); the first declared tool when none is mentioned.
 *   Arguments follow the tool's JSON schema, required properties first: string → the last
 *   Capitalised word of the message (punctuation stripped; else the whole message),
 *   number/integer → the first number in it (else 1), boolean → true, enum → its first
 *   value, array → [], object → {}.
 * - If the conversation ends with tool results, the reply is the text
 *   `Based on <tool names joined with ', '>: <each result as compact JSON, joined with '; '>`.
 * - Otherwise the reply is `You said: <last user message>`.
 * - When the request enables Anthropic extended thinking (`thinking.type` `enabled` or
 *   `adaptive`) or Gemini `thinkingConfig.includeThoughts`, a thinking block / thought part
 *   `Let me think about "<last user message>".` comes first.
 * - Streams split text and thinking into word-sized deltas (spaces kept, so they
 *   concatenate back to the text) and tool arguments into three fragments; Gemini sends
 *   function calls whole, as the real API does.
 * - Usage: input tokens = ceil(request body characters / 4); output tokens =
 *   ceil(characters of text + thinking + tool names and arguments / 4); both at least 1.
 *
 * `respond` can script any reply; returning undefined falls back to the rules above.
 * Markers in the last user message inject faults: `[[fake:abort-after-N]]` writes N SSE
 * events (JSON: half the body) then destroys the socket; `[[fake:status-429]]`,
 * `[[fake:status-500]]` (any 4xx/5xx) answer that status with the provider's error JSON,
 * 429 with `retry-after: 0`. Missing credentials get a 401, malformed bodies a 400 and
 * unknown routes a 404, each in the provider's error format.
 *
 * @example
 * import OpenAI from 'openai'
 * import { startFakeProvider } from '@retrace/fake-provider'
 *
 * const provider = await startFakeProvider()
 * const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL })
 * const completion = await openai.chat.completions.create({
 *   model: 'gpt-4o-mini',
 *   messages: [{ role: 'user', content: 'Hello there' }],
 * })
 * completion.choices[0]?.message.content // 'You said: Hello there'
 * provider.requestCount                  // 1
 * await provider.stop()
 */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const lifetime = new AbortController()
  const settings: ServerSettings = {
    respond: options.respond,
    gzip: options.gzip ?? false,
    eventDelayMs: options.eventDelayMs ?? 0,
    requireAuth: options.requireAuth ?? true,
    lifetime: lifetime.signal,
  }
  const recorded: LoggedRequest[] = []
  const server = createServer((req, res) => {
    // Reading the body fails only when the client disconnects; there is nobody to answer then.
    handleRequest(req, res, settings, recorded).catch(() => res.destroy())
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { address, family, port } = server.address() as AddressInfo
  const url = `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`

  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    geminiBaseURL: url,
    get requestCount() {
      return recorded.length
    },
    get requests() {
      return [...recorded]
    },
    reset() {
      recorded.length = 0
    },
    stop() {
      lifetime.abort()
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // close() alone waits for idle keep-alive and in-flight streams; end them now.
        server.closeAllConnections()
      })
    },
  }
}

/** Records the request, then answers it; nothing thrown here may crash the server. */
async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  settings: ServerSettings,
  recorded: LoggedRequest[],
): Promise<void> {
  const method = req.method ?? 'GET'
  const { pathname: path, searchParams } = new URL(req.url ?? '/', 'http://fake-provider')
  const query = Object.fromEntries(searchParams)
  const headers = normaliseHeaders(req)
  const rawBody = await readBody(req)
  const body = parseJson(rawBody)
  recorded.push({ method, path, query, headers, body: body.ok ? body.value : rawBody || undefined })
  const received: ReceivedRequest = {
    path,
    query,
    headers,
    rawBody,
    jsonObject: body.ok && isJsonObject(body.value) ? body.value : undefined,
    acceptsGzip: settings.gzip && /\bgzip\b/iu.test(headers['accept-encoding'] ?? ''),
  }

  const route = matchRoute(method, path)
  const dialect = route?.adapter.dialect ?? guessDialect(path, headers)
  const meta = dialect.newResponseMeta()
  const fail = (status: number, message: string, details?: ErrorDetails): Promise<void> => {
    const errorHeaders = { ...dialect.responseHeaders(meta), ...(status === 429 ? { 'retry-after': '0' } : {}) }
    return sendJson(res, status, errorHeaders, dialect.errorBody(status, message, meta, details), {
      gzip: received.acceptsGzip,
    })
  }
  if (!route) return fail(404, dialect.messages.notFound(method, path))

  try {
    await answerCall(received, route, res, settings, { fail, headers: () => dialect.responseHeaders(meta) })
  } catch (error) {
    // A throwing `respond` script, or stop() cutting an event delay short.
    if (res.headersSent) res.destroy()
    else await fail(500, `Fake provider error: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** The request as the handlers need it, parsed once. */
interface ReceivedRequest {
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** The body text, as sent; it feeds the input token count. */
  readonly rawBody: string
  /** The body when it is a JSON object, which every supported endpoint requires. */
  readonly jsonObject: JsonObject | undefined
  readonly acceptsGzip: boolean
}

/** How to answer in the route's dialect. */
interface Responder {
  fail(status: number, message: string, details?: ErrorDetails): Promise<void>
  /** The dialect's per-response headers (ids, timings). */
  headers(): Record<string, string>
}

async function answerCall(
  request: ReceivedRequest,
  route: Route,
  res: ServerResponse,
  settings: ServerSettings,
  responder: Responder,
): Promise<void> {
  const { adapter } = route
  if (settings.requireAuth && !adapter.dialect.hasCredentials(request.headers, request.query)) {
    return responder.fail(401, adapter.dialect.messages.missingCredentials)
  }
  if (!request.jsonObject) return responder.fail(400, adapter.dialect.messages.invalidJson)
  const outcome = adapter.parseRequest(request.jsonObject, route.params)
  if ('invalid' in outcome) return responder.fail(400, outcome.invalid, outcome)

  const { call } = outcome
  const userText = lastUserText(call.conversation)
  const fault = detectFault(userText)
  if (fault?.kind === 'status') return responder.fail(fault.status, faultMessage(adapter.dialect, fault.status))

  const scripted = await settings.respond?.({
    provider: adapter.kind,
    model: call.model,
    stream: call.stream,
    lastUserText: userText,
    messagesCount: call.messagesCount,
    body: request.jsonObject,
    headers: request.headers,
    path: request.path,
  })
  const reply = scripted ? planScriptedReply(scripted, request.rawBody) : planDefaultReply(call.conversation, request.rawBody)
  const abortAfter = fault?.kind === 'abort-after' ? fault.events : undefined

  if (!call.stream) {
    return sendJson(res, 200, responder.headers(), call.renderJson(reply), {
      gzip: request.acceptsGzip,
      cutMidBody: abortAfter !== undefined,
    })
  }

  await writeEventStream(res, call.renderEvents(reply), {
    headers: responder.headers(),
    lineEnding: adapter.sseLineEnding,
    gzip: request.acceptsGzip,
    abortAfter,
    eventDelayMs: settings.eventDelayMs,
    lifetime: settings.lifetime,
  })
}

/** Writes SSE events one at a time, honouring the event delay and an abort-after fault. */
async function writeEventStream(
  res: ServerResponse,
  events: readonly SseEvent[],
  options: {
    readonly headers: Record<string, string>
    readonly lineEnding: '\n' | '\r\n'
    readonly gzip: boolean
    readonly abortAfter: number | undefined
    readonly eventDelayMs: number
    readonly lifetime: AbortSignal
  },
): Promise<void> {
  res.writeHead(200, {
    ...options.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
  })
  const body = openStreamingBody(res, { gzip: options.gzip })
  for (const [index, event] of events.entries()) {
    if (index === options.abortAfter) break
    if (index > 0 && options.eventDelayMs > 0) {
      await sleep(options.eventDelayMs, undefined, { signal: options.lifetime })
    }
    if (body.closed) return // the client stopped reading
    // `data` is one line of serialised JSON: sent as the event's text, unchanged.
    await body.write(serializeSseEvent(event.event === undefined ? { text: event.data } : { event: event.event, text: event.data }, options.lineEnding))
  }
  await (options.abortAfter === undefined ? body.end() : body.abort())
}

interface Route {
  readonly adapter: ProtocolAdapter
  readonly params: RouteParams
}

const GEMINI_PATH = /^\/(?:v1|v1beta|v1alpha)\/models\/(?<model>[^/:]+):(?<method>generateContent|streamGenerateContent)$/u

function matchRoute(method: string, path: string): Route | undefined {
  if (method !== 'POST') return undefined
  if (path === '/v1/chat/completions') return { adapter: openaiChatAdapter, params: {} }
  if (path === '/v1/responses') return { adapter: openaiResponsesAdapter, params: {} }
  if (path === '/v1/messages') return { adapter: anthropicAdapter, params: {} }
  const gemini = GEMINI_PATH.exec(path)?.groups
  if (gemini?.['model'] !== undefined) {
    const stream = gemini['method'] === 'streamGenerateContent'
    return { adapter: geminiAdapter, params: { model: decodeURIComponent(gemini['model']), stream } }
  }
  return undefined
}

/** Answers an unknown route in the format its client most likely expects. */
function guessDialect(path: string, headers: Readonly<Record<string, string>>): HttpDialect {
  if (/^\/v1(?:beta|alpha)\//u.test(path) || headers['x-goog-api-key'] !== undefined) return geminiDialect
  if (headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined) return anthropicDialect
  return openaiDialect
}

function faultMessage(dialect: HttpDialect, status: number): string {
  if (status === 429) return dialect.messages.rateLimited
  if (status >= 500) return dialect.messages.serverError
  return `Injected fault: HTTP ${status}`
}

function normaliseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}
