import {
  BodyEndSchema,
  CassetteMetaSchema,
  JsonValueSchema,
  NetworkErrorSchema,
  RecordedRunSchema,
  StoredStepSchema,
  TimingSchema,
  type Body,
  type Cassette,
  type Interaction,
  type JsonValue,
  type RecordedResponse,
  type SseEvent,
  type Timing,
} from '@retrace/cassettes'
import { parseSseText, storeBody, VERSION } from '@retrace/core/internal'
import { z } from 'zod'
import { validateInput, type InputSource } from './foreign-input.ts'
import { InteropInputError } from './interop-input-error.ts'
import { spreadOffsets, sseText } from './sse-text.ts'
import { headerPairs, headerValue, toStoredHeaders, type HeaderPair } from './stored-headers.ts'

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) has no notion of server-sent
// events, a body cut short, a request with no response or an LLM step. What it cannot say
// goes in `_retrace` fields, which the spec allows (custom fields start with `_`) and other
// tools ignore: a Retrace cassette survives cassette → HAR → cassette unchanged.

/** How a body was stored in the cassette, so import restores exactly that form. */
const BodyKindSchema = z.enum(['json', 'text', 'base64', 'sse'])
type BodyKind = z.infer<typeof BodyKindSchema>

/** `entry._retrace`: what an interaction holds beyond what HAR can say. */
export const HarRetraceEntrySchema = z.looseObject({
  requestBody: BodyKindSchema.optional(),
  responseBody: BodyKindSchema.optional(),
  /** Each server-sent event's offset (ms after the headers), in the order `content.text` holds them. */
  sse: z.array(z.number().nonnegative()).optional(),
  end: BodyEndSchema.optional(),
  timing: TimingSchema.optional(),
  error: NetworkErrorSchema.optional(),
  step: StoredStepSchema.optional(),
  /** Interaction fields this version of the format does not know, kept as they were. */
  extra: z.record(z.string(), JsonValueSchema).optional(),
})

/** `log._retrace`: the cassette-level fields. */
export const HarRetraceLogSchema = z.looseObject({
  version: z.literal(1),
  meta: CassetteMetaSchema.optional(),
  run: RecordedRunSchema.optional(),
  extra: z.record(z.string(), JsonValueSchema).optional(),
})

const HarHeaderSchema = z.looseObject({ name: z.string(), value: z.string() })

const HarPostDataSchema = z.looseObject({
  mimeType: z.string().optional(),
  text: z.string().optional(),
  params: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).optional(),
  /** HAR has no encoding for request bodies; Retrace marks a base64 one here. */
  _encoding: z.literal('base64').optional(),
})

const HarRequestSchema = z.looseObject({
  method: z.string().min(1),
  url: z.string().min(1),
  headers: z.array(HarHeaderSchema).default([]),
  postData: HarPostDataSchema.optional(),
})

const HarContentSchema = z.looseObject({
  size: z.number().optional(),
  mimeType: z.string().optional(),
  text: z.string().optional(),
  encoding: z.string().optional(),
})

const HarResponseSchema = z.looseObject({
  status: z.number().int(),
  statusText: z.string().optional(),
  headers: z.array(HarHeaderSchema).default([]),
  content: HarContentSchema.optional(),
  /** Chrome's field for a request that failed without a response. */
  _error: z.string().nullable().optional(),
})

const HarTimingsSchema = z.looseObject({
  blocked: z.number().optional(),
  dns: z.number().optional(),
  connect: z.number().optional(),
  send: z.number().optional(),
  wait: z.number().optional(),
  receive: z.number().optional(),
})

const HarEntrySchema = z.looseObject({
  startedDateTime: z.string().optional(),
  time: z.number().optional(),
  request: HarRequestSchema,
  response: HarResponseSchema,
  timings: HarTimingsSchema.optional(),
  _retrace: HarRetraceEntrySchema.optional(),
})

/** The part of a HAR file `fromHar` reads. Browsers, Polly.js and Retrace's own HAR all fit. */
export const HarSchema = z.looseObject({
  log: z.looseObject({
    version: z.string().optional(),
    entries: z.array(HarEntrySchema),
    _retrace: HarRetraceLogSchema.optional(),
  }),
})

type HarEntryInput = z.infer<typeof HarEntrySchema>

/** A HAR 1.2 file as `toHar` writes it. */
export interface Har {
  log: {
    version: '1.2'
    creator: { name: string; version: string }
    entries: HarEntry[]
    _retrace?: z.infer<typeof HarRetraceLogSchema>
  }
}

/** One HAR entry as `toHar` writes it. */
export interface HarEntry {
  startedDateTime: string
  time: number
  request: {
    method: string
    url: string
    httpVersion: string
    cookies: never[]
    headers: HeaderPair[]
    queryString: HeaderPair[]
    postData?: { mimeType: string; text: string; _encoding?: 'base64' }
    headersSize: number
    bodySize: number
  }
  response: {
    status: number
    statusText: string
    httpVersion: string
    cookies: never[]
    headers: HeaderPair[]
    content: { size: number; mimeType: string; text?: string; encoding?: 'base64' }
    redirectURL: string
    headersSize: number
    bodySize: number
    _error?: string
  }
  cache: Record<string, never>
  timings: { blocked: number; dns: number; connect: number; send: number; wait: number; receive: number }
  _retrace: z.infer<typeof HarRetraceEntrySchema>
}

/** Options for {@link toHar}. */
export interface ToHarOptions {
  /**
   * When the first request started. Cassettes keep durations, not wall-clock times, so entries
   * are laid end to end from here. Default: the Unix epoch, so the output is reproducible.
   */
  readonly startTime?: Date
}

/** Options for {@link fromHar}. */
export interface FromHarOptions {
  /** The file name, for error messages. */
  readonly source?: string
  /** Told about what could not be carried over exactly. */
  readonly onWarning?: (message: string) => void
}

const KNOWN_INTERACTION_KEYS = new Set(['request', 'response', 'error', 'step', 'timing'])
const KNOWN_CASSETTE_KEYS = new Set(['version', 'meta', 'run', 'interactions'])

/**
 * A cassette as a HAR 1.2 log: one entry per interaction, bodies as the bytes replay serves
 * (server-sent events in `text/event-stream` framing), durations from the recorded timing.
 * Everything HAR cannot express (event offsets, `response.end`, network errors, the stored
 * step, the cassette's `run`) is kept in `_retrace` fields, so {@link fromHar} restores the
 * cassette exactly.
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const har = toHar(cassette)
 * har.log.entries.map((entry) => [entry.request.method, entry.request.url, entry.response.status])
 * // → [['POST', 'https://api.openai.com/v1/chat/completions', 200]]
 */
export function toHar(cassette: Cassette, options: ToHarOptions = {}): Har {
  let clock = (options.startTime ?? new Date(0)).getTime()
  const entries = cassette.interactions.map((interaction) => {
    const entry = harEntry(interaction, clock)
    clock += entry.time
    return entry
  })
  const extra = unknownFields(cassette, KNOWN_CASSETTE_KEYS)
  return {
    log: {
      version: '1.2',
      creator: { name: '@retrace/cli', version: VERSION },
      entries,
      _retrace: {
        version: 1,
        ...(cassette.meta ? { meta: cassette.meta } : {}),
        ...(cassette.run ? { run: cassette.run } : {}),
        ...(extra ? { extra } : {}),
      },
    },
  }
}

/**
 * A HAR log (1.1 or 1.2) as a cassette, before redaction (see `finishImport`). Retrace's own
 * `_retrace` fields are used when present; a plain browser or Polly.js HAR works too: bodies
 * are stored the way the recorder would store them, an event stream is split back into its
 * events (spread evenly over the entry's `receive` time), and a status-0 entry becomes a
 * network error.
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const recorded = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const cassette = fromHar(JSON.parse(JSON.stringify(toHar(recorded))), { source: 'session.har' })
 * cassette.interactions[0]!.response.body // → recorded.interactions[0]!.response.body
 */
export function fromHar(data: unknown, options: FromHarOptions = {}): Cassette {
  const input: InputSource = { format: 'har', source: options.source ?? 'input' }
  const har = validateInput(HarSchema, data, input)
  const version = har.log.version
  if (version !== undefined && version !== '' && version !== '1.1' && version !== '1.2') {
    throw new InteropInputError({
      ...input,
      field: '$.log.version',
      problem: `HAR version "${version}" is not supported; Retrace reads HAR 1.1 and 1.2.`,
      hint: 'Export the HAR again with a tool that writes HAR 1.2.',
    })
  }
  const warn = options.onWarning ?? (() => {})
  const interactions = har.log.entries.map((entry, index) => interactionOf(entry, index, input, warn))
  const retrace = har.log._retrace
  return {
    ...retrace?.extra,
    version: 1,
    ...(retrace?.meta ? { meta: retrace.meta } : {}),
    ...(retrace?.run ? { run: retrace.run } : {}),
    interactions,
  }
}

function harEntry(interaction: Interaction, startedAt: number): HarEntry {
  const { request, response, error, step, timing } = interaction
  const requestBody = request.body ? bodyText(request.body) : undefined
  const responseBody = response?.body ? bodyText(response.body) : undefined
  const latency = timing?.latencyMs ?? 0
  const duration = timing?.durationMs ?? latency
  const extra = unknownFields(interaction, KNOWN_INTERACTION_KEYS)
  const contentType = response ? headerValue(response.headers, 'content-type') : undefined
  return {
    startedDateTime: new Date(startedAt).toISOString(),
    time: duration,
    request: {
      method: request.method,
      url: request.url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerPairs(request.headers),
      queryString: queryOf(request.url),
      ...(requestBody
        ? {
            postData: {
              mimeType: headerValue(request.headers, 'content-type') ?? defaultMimeType(requestBody.kind),
              text: requestBody.text,
              ...(requestBody.kind === 'base64' ? { _encoding: 'base64' as const } : {}),
            },
          }
        : {}),
      headersSize: -1,
      bodySize: requestBody ? requestBody.size : 0,
    },
    response: response
      ? {
          status: response.status,
          statusText: response.statusText ?? '',
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: headerPairs(response.headers),
          content: {
            size: responseBody?.size ?? 0,
            mimeType: contentType ?? (responseBody ? defaultMimeType(responseBody.kind) : ''),
            ...(responseBody ? { text: responseBody.text } : {}),
            ...(responseBody?.kind === 'base64' ? { encoding: 'base64' as const } : {}),
          },
          redirectURL: headerValue(response.headers, 'location') ?? '',
          headersSize: -1,
          bodySize: -1,
        }
      : {
          // HAR has no entry without a response; browsers write status 0 and `_error`.
          status: 0,
          statusText: '',
          httpVersion: '',
          cookies: [],
          headers: [],
          content: { size: 0, mimeType: '' },
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
          _error: error?.message ?? 'The request got no response.',
        },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: latency, receive: Math.max(0, duration - latency) },
    _retrace: {
      ...(requestBody ? { requestBody: requestBody.kind } : {}),
      ...(responseBody ? { responseBody: responseBody.kind } : {}),
      ...(response?.body && 'sse' in response.body ? { sse: response.body.sse.map((event) => event.t) } : {}),
      ...(response?.end ? { end: response.end } : {}),
      ...(timing ? { timing } : {}),
      ...(error ? { error } : {}),
      ...(step ? { step } : {}),
      ...(extra ? { extra } : {}),
    },
  }
}

/** A body's text for HAR (the bytes replay sends), its kind, and its size in bytes. */
function bodyText(body: Body): { kind: BodyKind; text: string; size: number } {
  if ('json' in body) return sized('json', JSON.stringify(body.json))
  if ('text' in body) return sized('text', body.text)
  if ('sse' in body) return sized('sse', sseText(body.sse))
  return { kind: 'base64', text: body.base64, size: Buffer.from(body.base64, 'base64').byteLength }
}

function sized(kind: BodyKind, text: string): { kind: BodyKind; text: string; size: number } {
  return { kind, text, size: Buffer.byteLength(text) }
}

function defaultMimeType(kind: BodyKind): string {
  if (kind === 'json') return 'application/json'
  if (kind === 'sse') return 'text/event-stream'
  if (kind === 'text') return 'text/plain'
  return 'application/octet-stream'
}

function queryOf(url: string): HeaderPair[] {
  const parsed = URL.parse(url)
  return parsed ? [...parsed.searchParams].map(([name, value]) => ({ name, value })) : []
}

function interactionOf(entry: HarEntryInput, index: number, input: InputSource, warn: (message: string) => void): Interaction {
  const retrace = entry._retrace
  const where = `entry #${index + 1} (${entry.request.method} ${entry.request.url})`
  const requestHeaders = toStoredHeaders(entry.request.headers.map(({ name, value }) => [name, value]), 'request')
  const requestBody = requestBodyOf(entry, requestHeaders['content-type'])
  const request = {
    method: entry.request.method.toUpperCase(),
    url: entry.request.url,
    headers: requestHeaders,
    ...(requestBody ? { body: requestBody } : {}),
  }
  const timing = retrace?.timing ?? timingOf(entry)
  const gotNoResponse = retrace?.error !== undefined || entry.response.status === 0
  const interaction: Interaction = { ...retrace?.extra, request }
  if (gotNoResponse) {
    interaction.error = retrace?.error ?? { message: entry.response._error || 'The request got no response (status 0 in the HAR file).' }
  } else {
    interaction.response = responseOf(entry, timing, where, input, warn)
  }
  if (retrace?.step) interaction.step = retrace.step
  if (timing) interaction.timing = timing
  return interaction
}

function requestBodyOf(entry: HarEntryInput, contentType: string | undefined): Body | undefined {
  const postData = entry.request.postData
  if (!postData) return undefined
  // Browsers list form fields in `params` and sometimes leave `text` out.
  const text =
    postData.text ?? postData.params?.map(({ name, value }) => `${encodeURIComponent(name)}=${encodeURIComponent(value ?? '')}`).join('&')
  if (text === undefined || text === '') return undefined
  const kind = entry._retrace?.requestBody ?? (postData._encoding === 'base64' ? 'base64' : undefined)
  return bodyOfKind(kind, text, contentType ?? postData.mimeType)
}

function responseOf(entry: HarEntryInput, timing: Timing | undefined, where: string, input: InputSource, warn: (message: string) => void): RecordedResponse {
  const response = entry.response
  const headers = toStoredHeaders(response.headers.map(({ name, value }) => [name, value]), 'response')
  const contentType = headers['content-type'] ?? response.content?.mimeType
  const body = responseBodyOf(entry, contentType, timing, where, input, warn)
  return {
    status: response.status,
    ...(response.statusText ? { statusText: response.statusText } : {}),
    headers,
    ...(body ? { body } : {}),
    ...(entry._retrace?.end ? { end: entry._retrace.end } : {}),
  }
}

function responseBodyOf(
  entry: HarEntryInput,
  contentType: string | undefined,
  timing: Timing | undefined,
  where: string,
  input: InputSource,
  warn: (message: string) => void,
): Body | undefined {
  const content = entry.response.content
  const kind = entry._retrace?.responseBody
  if (content?.text === undefined) {
    if ((content?.size ?? 0) > 0) warn(`${where}: the HAR has no response body text (the tool that wrote it did not keep it); imported without a body.`)
    return undefined
  }
  const isBase64 = content.encoding === 'base64'
  if (content.encoding !== undefined && !isBase64) {
    throw new InteropInputError({ ...input, field: `${where}: response.content.encoding`, problem: `unknown encoding "${content.encoding}"; HAR 1.2 only defines "base64".` })
  }
  const isStream = kind === 'sse' || (kind === undefined && (contentType ?? '').toLowerCase().includes('text/event-stream'))
  if (isStream) {
    const text = isBase64 ? Buffer.from(content.text, 'base64').toString('utf8') : content.text
    return { sse: eventTimes(parseSseText(text), entry, timing, where, warn) }
  }
  if (isBase64) {
    return kind === 'base64' ? { base64: content.text } : storeBody(Buffer.from(content.text, 'base64'), contentType)
  }
  if (content.text === '' && kind === undefined) return undefined
  return bodyOfKind(kind, content.text, contentType)
}

/** The events' offsets: Retrace's own where it wrote them, else spread over the receive time. */
function eventTimes(events: SseEvent[], entry: HarEntryInput, timing: Timing | undefined, where: string, warn: (message: string) => void): SseEvent[] {
  const offsets = entry._retrace?.sse
  if (offsets && offsets.length === events.length) return events.map((event, index) => ({ ...event, t: offsets[index]! }))
  if (offsets) warn(`${where}: _retrace.sse lists ${offsets.length} event offset(s) but the body holds ${events.length} event(s); offsets spread evenly instead.`)
  const receive = entry.timings?.receive
  const spread = receive !== undefined && receive > 0 ? receive : timing?.durationMs !== undefined ? timing.durationMs - timing.latencyMs : 0
  return spreadOffsets(events, spread)
}

function bodyOfKind(kind: BodyKind | undefined, text: string, contentType: string | undefined): Body | undefined {
  if (kind === 'base64') return { base64: text }
  if (kind === 'text') return { text }
  if (kind === 'json') {
    try {
      return { json: JSON.parse(text) as JsonValue }
    } catch {
      return { text }
    }
  }
  if (kind === 'sse') return { sse: parseSseText(text) }
  return storeBody(text, contentType)
}

/**
 * Latency is everything before the first response byte (blocked, dns, connect, send, wait;
 * `ssl` is already inside `connect`), duration is the entry's `time`. Negative values mean
 * "not applicable" in HAR.
 */
function timingOf(entry: HarEntryInput): Timing | undefined {
  const timings = entry.timings
  if (!timings && entry.time === undefined) return undefined
  const phases = [timings?.blocked, timings?.dns, timings?.connect, timings?.send, timings?.wait]
  const latencyMs = Math.round(phases.reduce<number>((sum, value) => sum + (value !== undefined && value > 0 ? value : 0), 0))
  const receive = timings?.receive !== undefined && timings.receive > 0 ? timings.receive : 0
  const total = entry.time !== undefined && entry.time >= 0 ? entry.time : latencyMs + receive
  return { latencyMs, durationMs: Math.max(latencyMs, Math.round(total)) }
}

function unknownFields(value: object, known: ReadonlySet<string>): Record<string, JsonValue> | undefined {
  const extra = Object.entries(value).filter(([key, item]) => !known.has(key) && item !== undefined)
  return extra.length > 0 ? (Object.fromEntries(extra) as Record<string, JsonValue>) : undefined
}
