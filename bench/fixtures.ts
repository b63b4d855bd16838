// Shared payloads, cassettes, a loopback server and the consumer code every tool is measured
// with, so the only thing that differs between rows is the tool under test.
import http from 'node:http'
import https from 'node:https'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { writeCassetteFile, type Cassette, type JsonValue, type SseEvent } from '@retrace/cassettes'

/** What the consumer pipes events through (eventsource-parser's `EventSourceParserStream`). */
type ParserStreamClass = new () => TransformStream<string, { data: string }>

// eventsource-parser is what the OpenAI/Anthropic SDK-style consumer uses. Take the root
// install if there is one, else the copy @retrace/core depends on (not a root dependency).
function loadSseParser(): { EventSourceParserStream: ParserStreamClass; version: string } {
  for (const base of ['../package.json', '../core/package.json']) {
    const require = createRequire(new URL(base, import.meta.url))
    try {
      const { EventSourceParserStream } = require('eventsource-parser/stream') as { EventSourceParserStream: ParserStreamClass }
      const { version } = require('eventsource-parser/package.json') as { version: string }
      return { EventSourceParserStream, version }
    } catch {
      // not installed there: try the next place
    }
  }
  throw new Error('eventsource-parser is not installed (neither at the root nor under core/).')
}

const sseParser = loadSseParser()
/** The eventsource-parser version the SSE consumer runs on (reported in results.json). */
export const SSE_PARSER_VERSION = sseParser.version

/** Where the mocked calls go. Nothing listens there: a request a tool fails to intercept errors out. */
export const CHAT_URL = 'https://api.openai.com/v1/chat/completions'
export const CHAT_ORIGIN = 'https://api.openai.com'
export const CHAT_PATH = '/v1/chat/completions'

// Deterministic filler, so sizes and bytes are identical on every run.
const lorem =
  'Retrace records every LLM call an agent makes and replays it byte for byte, so tests stay fast and deterministic. '

function chatRequest(stream: boolean): Record<string, JsonValue> {
  return {
    model: 'gpt-4o-mini',
    temperature: 0.2,
    max_tokens: 512,
    top_p: 1,
    n: 1,
    presence_penalty: 0,
    ...(stream ? { stream: true } : {}),
    messages: [
      { role: 'system', content: `You are a careful travel assistant. ${lorem.repeat(3)}`.trim() },
      { role: 'user', content: `Plan a two-day trip to Lisbon in spring. ${lorem.repeat(3)}`.trim() },
      { role: 'assistant', content: 'Sure. Do you prefer museums or walks along the river?' },
      { role: 'user', content: 'Walks, and one good seafood dinner, please.' },
    ],
    user: 'bench-user-0001',
  }
}

const chatCompletion: Record<string, JsonValue> = {
  id: 'chatcmpl-bench0000000000000000000001',
  object: 'chat.completion',
  created: 1_735_689_600,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: `Day 1: start in Alfama, walk down to the river, and take the tram up to Graça for the view. ${lorem.repeat(13)}`.trim(),
        refusal: null,
      },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 312,
    completion_tokens: 418,
    total_tokens: 730,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_bench0001',
}

/** The parsed request of a non-streamed chat call (about 1.1 KB as JSON). */
export const REQUEST_OBJECT = chatRequest(false)
/** The request body as an SDK sends it. */
export const REQUEST_BODY = JSON.stringify(REQUEST_OBJECT)
/** The same request with `stream: true`. */
export const SSE_REQUEST_OBJECT = chatRequest(true)
export const SSE_REQUEST_BODY = JSON.stringify(SSE_REQUEST_OBJECT)
/** The chat.completion answer (about 2.1 KB). */
export const RESPONSE_OBJECT = chatCompletion
export const RESPONSE_JSON = JSON.stringify(chatCompletion)
export const REQUEST_HEADERS = { 'content-type': 'application/json', accept: 'application/json' }
export const JSON_HEADERS = { 'content-type': 'application/json' }
export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }

/** Number of events in the streamed answer, `[DONE]` included. */
export const SSE_EVENT_COUNT = 200

function chunkObject(index: number): Record<string, JsonValue> {
  const last = index === SSE_EVENT_COUNT - 2
  return {
    id: 'chatcmpl-bench0002',
    object: 'chat.completion.chunk',
    created: 1_735_689_600,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        delta: index === 0 ? { role: 'assistant', content: '' } : last ? {} : { content: ` word${String(index).padStart(3, '0')}` },
        logprobs: null,
        finish_reason: last ? 'stop' : null,
      },
    ],
  }
}

/** The JSON payloads of the stream: 199 chunks; the 200th event is `[DONE]`. */
export const SSE_CHUNK_OBJECTS: Array<Record<string, JsonValue>> = Array.from({ length: SSE_EVENT_COUNT - 1 }, (_, i) => chunkObject(i))
/** Each event in wire framing (about 200 B each), `data: [DONE]` last. */
export const SSE_EVENTS: string[] = [...SSE_CHUNK_OBJECTS.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`), 'data: [DONE]\n\n']
const encoder = new TextEncoder()
/** The events as bytes, one Uint8Array per event (one chunk each on the wire). */
export const SSE_EVENT_BYTES: Uint8Array[] = SSE_EVENTS.map((event) => encoder.encode(event))
export const SSE_BODY = SSE_EVENTS.join('')

/** Sizes, printed with the results so a reader can check the workload. */
export const FIXTURE_SIZES = {
  requestBytes: Buffer.byteLength(REQUEST_BODY),
  responseBytes: Buffer.byteLength(RESPONSE_JSON),
  sseEvents: SSE_EVENTS.length,
  sseMeanEventBytes: Math.round(Buffer.byteLength(SSE_BODY) / SSE_EVENTS.length),
}

/**
 * Reads a JSON response exactly as an SDK does and checks it is the fixture (cheaply: by id),
 * so a tool that answers something else fails loudly instead of looking fast.
 */
export async function readJson(response: Response): Promise<void> {
  const body = (await response.json()) as { id?: unknown }
  if (body.id !== chatCompletion.id) throw new Error(`unexpected JSON answer (status ${response.status})`)
}

/**
 * Consumes a server-sent event stream the way the OpenAI and Anthropic SDKs do: bytes →
 * TextDecoderStream → EventSourceParserStream → JSON.parse per event. Returns the number of
 * events and throws if it is not the fixture's count.
 */
export async function consumeSse(response: Response): Promise<number> {
  if (!response.body) throw new Error(`no body (status ${response.status})`)
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new sseParser.EventSourceParserStream())
  let count = 0
  for await (const event of events) {
    count++
    if (event.data !== '[DONE]') JSON.parse(event.data)
  }
  if (count !== SSE_EVENT_COUNT) throw new Error(`expected ${SSE_EVENT_COUNT} events, got ${count}`)
  return count
}

/** POSTs the chat request with the given fetch and reads the JSON answer. */
export async function postJson(fetchFn: typeof fetch, url = CHAT_URL): Promise<void> {
  await readJson(await fetchFn(url, { method: 'POST', headers: REQUEST_HEADERS, body: REQUEST_BODY }))
}

/** POSTs the streamed chat request with the given fetch and consumes every event. */
export async function postSse(fetchFn: typeof fetch, url = CHAT_URL): Promise<void> {
  await consumeSse(await fetchFn(url, { method: 'POST', headers: REQUEST_HEADERS, body: SSE_REQUEST_BODY }))
}

/**
 * POSTs the chat request with `node:http`/`node:https` (looked up at call time, so whatever
 * interception is applied now is used) and parses the JSON answer, as axios or got would.
 */
export function postJsonNodeHttp(url = CHAT_URL, agent?: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const transport = url.startsWith('https:') ? https : http
    const request = transport.request(
      url,
      { method: 'POST', headers: { ...REQUEST_HEADERS, 'content-length': String(Buffer.byteLength(REQUEST_BODY)) }, ...(agent ? { agent } : {}) },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', reject)
        response.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown }
            if (body.id !== chatCompletion.id) throw new Error(`unexpected JSON answer (status ${response.statusCode})`)
            resolve()
          } catch (error) {
            reject(error)
          }
        })
      },
    )
    request.on('error', reject)
    request.end(REQUEST_BODY)
  })
}

function interactionFor(request: Record<string, JsonValue>, response: Cassette['interactions'][number]['response']): Cassette['interactions'][number] {
  return { request: { method: 'POST', url: CHAT_URL, headers: { ...REQUEST_HEADERS }, body: { json: request } }, response, timing: { latencyMs: 0 } }
}

/** Cassette files for replay, written with the production writer (secret scan included). */
export interface FixtureCassettes {
  dir: string
  json: string
  sse: string
  remove(): void
}

/**
 * Writes the two replay cassettes (one JSON call, one streamed call) into a fresh temporary
 * folder, the way a recording of these calls would store them.
 */
export async function writeFixtureCassettes(): Promise<FixtureCassettes> {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-bench-'))
  const json = join(dir, 'json.cassette.json')
  const sse = join(dir, 'sse.cassette.json')
  await writeCassetteFile(json, {
    version: 1,
    meta: { recorder: 'retrace bench fixtures' },
    interactions: [interactionFor(REQUEST_OBJECT, { status: 200, statusText: 'OK', headers: { ...JSON_HEADERS }, body: { json: RESPONSE_OBJECT } })],
  })
  const events: SseEvent[] = [...SSE_CHUNK_OBJECTS.map((data, i) => ({ t: i, data })), { t: SSE_EVENT_COUNT, text: '[DONE]' }]
  await writeCassetteFile(sse, {
    version: 1,
    meta: { recorder: 'retrace bench fixtures' },
    interactions: [interactionFor(SSE_REQUEST_OBJECT, { status: 200, statusText: 'OK', headers: { ...SSE_HEADERS }, body: { sse: events } })],
  })
  return { dir, json, sse, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A loopback HTTP server answering the fixtures, for recording and live baselines. */
export interface FixtureServer {
  /** `http://127.0.0.1:PORT/v1/chat/completions` */
  url: string
  requests: number
  close(): Promise<void>
}

/**
 * Starts a keep-alive node:http server on 127.0.0.1 that answers the JSON fixture, or the
 * SSE fixture (one write per event) when the request body asks for `"stream":true`.
 */
export async function startFixtureServer(): Promise<FixtureServer> {
  const state = { requests: 0 }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      state.requests++
      const body = Buffer.concat(chunks).toString('utf8')
      if (body.includes('"stream":true')) {
        res.writeHead(200, SSE_HEADERS)
        for (const event of SSE_EVENT_BYTES) res.write(event)
        res.end()
      } else {
        res.writeHead(200, { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(RESPONSE_JSON)) })
        res.end(RESPONSE_JSON)
      }
    })
  })
  // Clients reuse connections between sequential calls; do not let the server drop them.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${CHAT_PATH}`,
    get requests() {
      return state.requests
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** What every measurement gets from bench/run.ts. */
export interface BenchContext {
  cassettes: FixtureCassettes
  server: FixtureServer
  /** A scratch folder for cassettes written during the run. */
  tmp: string
  /** `--quick`: fewer rounds and iterations, for checking the suite itself. */
  quick: boolean
  log: (line: string) => void
}

/** Scales an iteration count down under `--quick`. */
export function count(ctx: BenchContext, full: number): number {
  return ctx.quick ? Math.max(5, Math.round(full / 10)) : full
}
