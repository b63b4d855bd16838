import type { Cassette } from '@retrace/cassettes'
import { servedResponse } from './served-response.ts'

// MSW matches requests by method and URL path only, so the generated handlers keep one queue
// of recorded responses per endpoint and serve them in order: the same order a Retrace replay
// serves repeated calls in. Bodies are not matched.

/** The `http.*` handler each method gets; other methods fall back to `http.all`. */
const HANDLER_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options'])

/** One recorded response as the generated module embeds it. */
interface EmbeddedResponse {
  status: number
  statusText: string
  headers: Record<string, string>
  body?: string
  base64?: string
  events?: Array<{ t: number; text: string }>
  end?: { outcome: string; t: number; message?: string }
  networkError?: string
  latencyMs: number
}

interface EmbeddedEndpoint {
  method: string
  url: string
  responses: EmbeddedResponse[]
}

/** Options for {@link toMsw}. */
export interface ToMswOptions {
  /** Write TypeScript (typed handlers) instead of plain ESM JavaScript. */
  readonly typescript?: boolean
  /** The cassette's name, for the header comment. */
  readonly source?: string
  /** Told about what MSW cannot reproduce exactly. */
  readonly onWarning?: (message: string) => void
}

/**
 * A cassette as an ES module for msw 3 that exports `handlers` (and `createHandlers()` for a
 * fresh set): one `http.<method>(url, …)` handler per endpoint, answering with the recorded
 * responses in order, byte for byte what replay serves. A server-sent event stream comes as a
 * streamed `Response`, one chunk per event; `createHandlers({ timing: 'recorded' })` also waits
 * the recorded latency and gaps. A request past the last recorded response, or one that got
 * no response when recorded, fails as a network error (`HttpResponse.error()`).
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const code = toMsw(cassette, { source: 'weather.cassette.json' })
 * // Written to handlers.js, then: setupServer(...(await import('./handlers.js')).handlers).listen()
 * code.includes('http.post("https://api.openai.com/v1/chat/completions"') // → true
 */
export function toMsw(cassette: Cassette, options: ToMswOptions = {}): string {
  const warn = options.onWarning ?? (() => {})
  const endpoints = new Map<string, EmbeddedEndpoint>()
  const queries = new Map<string, Set<string>>()
  cassette.interactions.forEach((interaction, index) => {
    const where = `interaction #${index + 1} (${interaction.request.method} ${interaction.request.url})`
    const url = URL.parse(interaction.request.url)
    if (!url) return warn(`${where}: left out, its URL cannot be parsed.`)
    const requested = interaction.request.method.toLowerCase()
    const method = HANDLER_METHODS.has(requested) ? requested : 'all'
    if (method === 'all') warn(`${where}: MSW has no handler for ${interaction.request.method}; its handler answers every method on that URL.`)
    const path = `${url.origin}${url.pathname}`
    const key = `${method} ${path}`
    let endpoint = endpoints.get(key)
    if (!endpoint) endpoints.set(key, (endpoint = { method, url: path, responses: [] }))
    endpoint.responses.push(embed(servedResponse(interaction)))
    queries.set(key, (queries.get(key) ?? new Set()).add(url.search))
  })
  for (const [key, seen] of queries) {
    const endpoint = endpoints.get(key)!
    if (seen.size > 1) warn(`${endpoint.method.toUpperCase()} ${endpoint.url}: recorded with ${seen.size} different query strings; MSW matches by path, so they share one queue of responses.`)
  }
  return moduleSource([...endpoints.values()], options)
}

function embed(served: ReturnType<typeof servedResponse>): EmbeddedResponse {
  if (served.kind === 'network-error') {
    return { status: 0, statusText: '', headers: {}, networkError: served.error.message, latencyMs: served.latencyMs }
  }
  const body = served.body
  return {
    status: served.status,
    statusText: served.statusText,
    headers: Object.fromEntries(served.headers),
    ...(typeof body === 'string' ? { body } : {}),
    ...(body instanceof Uint8Array ? { base64: Buffer.from(body).toString('base64') } : {}),
    ...(served.events ? { events: served.events.map(({ t, text }) => ({ t, text })) } : {}),
    ...(served.end ? { end: { outcome: served.end.outcome, t: served.end.t, ...(served.end.message ? { message: served.end.message } : {}) } } : {}),
    latencyMs: served.latencyMs,
  }
}

function moduleSource(endpoints: EmbeddedEndpoint[], options: ToMswOptions): string {
  const ts = options.typescript === true
  // Type annotations only in the TypeScript flavour; the JavaScript one carries them as JSDoc.
  const t = (annotation: string): string => (ts ? annotation : '')
  const from = options.source ? ` from ${options.source}` : ''
  return `// Generated by \`retrace export msw\`${from}. Export again rather than editing it.
// Each endpoint answers with its recorded responses in order; a request past the last one fails
// as a network error, as a Retrace replay refuses a call it has no recording for.
import { delay, http, HttpResponse${ts ? ', type HttpHandler' : ''} } from 'msw'
${
  ts
    ? `
type RecordedResponse = {
  status: number
  statusText: string
  headers: Record<string, string>
  body?: string
  base64?: string
  events?: Array<{ t: number; text: string }>
  end?: { outcome: string; t: number; message?: string }
  networkError?: string
  latencyMs: number
}
`
    : ''
}
// One list per handler below, in the order the requests were recorded.
const RECORDED${t(': RecordedResponse[][]')} = ${embeddedJson(endpoints.map((endpoint) => endpoint.responses), '')}

/**
 * A fresh set of handlers, each at the start of its recorded responses.
 * \`timing: 'recorded'\` waits the recorded latency and the gaps between streamed events.${ts ? '' : "\n * @param {{ timing?: 'instant' | 'recorded' }} [options]"}
 */
export function createHandlers(options${t(": { timing?: 'instant' | 'recorded' }")} = {})${t(': HttpHandler[]')} {
  const paced = options.timing === 'recorded'
  return [
${endpoints.map((endpoint, index) => `    http.${endpoint.method}(${JSON.stringify(endpoint.url)}, inOrder(RECORDED[${index}]${ts ? '!' : ''}, paced)),`).join('\n')}
  ]
}

/** The handlers for \`setupServer(...handlers)\` or \`setupWorker(...handlers)\`. */
export const handlers${t(': HttpHandler[]')} = createHandlers()

/** Serves the recorded responses one request at a time; past the last, a network error. */
function inOrder(responses${t(': RecordedResponse[]')}, paced${t(': boolean')}) {
  let next = 0
  return async () => {
    const recorded = responses[next]
    if (recorded === undefined) return HttpResponse.error()
    next += 1
    if (paced && recorded.latencyMs > 0) await delay(recorded.latencyMs)
    return toResponse(recorded, paced)
  }
}

function toResponse(recorded${t(': RecordedResponse')}, paced${t(': boolean')})${t(': Response')} {
  if (recorded.networkError !== undefined) return HttpResponse.error()
  const init = { status: recorded.status, statusText: recorded.statusText, headers: recorded.headers }
  if (recorded.events !== undefined) return new HttpResponse(eventStream(recorded.events, recorded.end, paced), init)
  if (recorded.base64 !== undefined) return new HttpResponse(Uint8Array.from(atob(recorded.base64), (c) => c.charCodeAt(0)), init)
  return new HttpResponse(recorded.body ?? null, init)
}

function eventStream(events${t(": NonNullable<RecordedResponse['events']>")}, end${t(": RecordedResponse['end']")}, paced${t(': boolean')})${t(': ReadableStream<Uint8Array>')} {
  const encoder = new TextEncoder()
  let index = 0
  let clock = 0
  return new ReadableStream${t('<Uint8Array>')}({
    async pull(controller) {
      const event = events[index]
      if (event === undefined) {
        if (end === undefined) return controller.close()
        // A stream cut short when recorded ends early here too, once the events that did
        // arrive are out (msw/node then ends the body; a browser fetch sees the error).
        await new Promise((resolve) => setTimeout(resolve, 0))
        return controller.error(new Error(end.message ?? \`The recorded stream ended early (\${end.outcome}).\`))
      }
      index += 1
      if (paced && event.t > clock) await delay(event.t - clock)
      clock = Math.max(clock, event.t)
      controller.enqueue(encoder.encode(event.text))
    },
  })
}
`
}

/** JSON laid out for reading: 2-space indents, each streamed event on a line of its own. */
function embeddedJson(value: unknown, indent: string, compactItems = false): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.map((item) => inner + (compactItems ? JSON.stringify(item) : embeddedJson(item, inner)))
    return `[\n${items.join(',\n')}\n${indent}]`
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined)
  if (entries.length === 0) return '{}'
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${embeddedJson(item, inner, key === 'events')}`).join(',\n')}\n${indent}}`
}
