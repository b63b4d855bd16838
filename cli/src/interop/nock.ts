import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { JsonValueSchema, type Body, type Cassette, type Interaction, type JsonValue, type RecordedResponse } from '@retrace/cassettes'
import { parseSseText, storeBody } from '@retrace/core/internal'
import { z } from 'zod'
import { validateInput, type InputSource } from './foreign-input.ts'
import { InteropInputError } from './interop-input-error.ts'
import { servedResponse } from './served-response.ts'
import { toStoredHeaders } from './stored-headers.ts'

// nock's definition format is what `nock.recorder.rec({ output_objects: true })` prints and
// `nock.define()` / `nock.load()` read: one object per request, consumed once each, in order.

const HeaderValueSchema = z.union([z.string(), z.number(), z.array(z.string())])

/** One `nock.define` definition, as far as `fromNock` reads it (older `headers` / `reply` included). */
export const NockDefinitionSchema = z.looseObject({
  scope: z.string().min(1),
  port: z.union([z.number(), z.string()]).optional(),
  method: z.string().min(1),
  path: z.string(),
  body: JsonValueSchema.optional(),
  status: z.number().int().optional(),
  /** The status as a string, in definitions from nock before `status` existed. */
  reply: z.string().optional(),
  response: JsonValueSchema.optional(),
  rawHeaders: z.union([z.record(z.string(), HeaderValueSchema), z.array(z.string())]).optional(),
  headers: z.record(z.string(), HeaderValueSchema).optional(),
  reqheaders: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  responseIsBinary: z.boolean().optional(),
})

/** A file of nock definitions: a JSON array. */
export const NockDefinitionsSchema = z.array(NockDefinitionSchema)

type NockDefinitionInput = z.infer<typeof NockDefinitionSchema>

/** A definition as {@link toNock} writes it; `nock.define(definitions)` loads an array of them. */
export interface NockDefinition {
  scope: string
  method: string
  path: string
  /** The request body to match: parsed JSON (matched deeply) or the exact text. Absent: any body. */
  body?: JsonValue
  status: number
  /** A JSON object or array (nock sends it stringified), text, or hex bytes with `responseIsBinary`. */
  response?: JsonValue
  rawHeaders: Record<string, string>
  responseIsBinary?: boolean
}

/** Options for {@link toNock} and {@link fromNock}. */
export interface NockOptions {
  /** The file name, for error messages (fromNock). */
  readonly source?: string
  /** Told about what could not be carried over exactly. */
  readonly onWarning?: (message: string) => void
}

/**
 * A cassette as nock definitions, one per interaction in cassette order (nock consumes each
 * once, so repeated requests get their recorded answers in turn). Responses are the bytes
 * replay serves; a server-sent event stream is sent as one body, without its event timing.
 * Interactions that got no response are left out, and a body that was cut short is served
 * whole: definitions cannot express either (each gives a warning).
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * // Then nock.define(definitions) serves them.
 * const definitions = toNock(cassette)
 * definitions.map((definition) => [definition.scope, definition.method, definition.path, definition.status])
 * // → [['https://api.openai.com', 'POST', '/v1/chat/completions', 200]]
 */
export function toNock(cassette: Cassette, options: NockOptions = {}): NockDefinition[] {
  const warn = options.onWarning ?? (() => {})
  const definitions: NockDefinition[] = []
  cassette.interactions.forEach((interaction, index) => {
    const where = `interaction #${index + 1} (${interaction.request.method} ${interaction.request.url})`
    const url = URL.parse(interaction.request.url)
    if (!url) return warn(`${where}: left out, its URL cannot be parsed.`)
    const served = servedResponse(interaction)
    if (served.kind === 'network-error') return warn(`${where}: left out, it got no response (${served.error.message}) and nock definitions cannot describe a failed request.`)
    if (served.end) warn(`${where}: its body was cut short when recorded (${served.end.outcome}); nock serves it whole.`)
    const requestBody = matchableBody(interaction, where, warn)
    const definition: NockDefinition = {
      scope: url.origin,
      method: interaction.request.method.toUpperCase(),
      path: `${url.pathname}${url.search}`,
      ...(requestBody === undefined ? {} : { body: requestBody }),
      status: served.status,
      rawHeaders: Object.fromEntries(served.headers),
    }
    const text = served.events ? served.events.map((event) => event.text).join('') : served.body
    const body = interaction.response?.body
    if (body && 'json' in body && isContainer(body.json) && served.body !== undefined) {
      // nock sends objects and arrays through JSON.stringify: the bytes replay sends.
      definition.response = body.json
    } else if (typeof text === 'string' && text !== '' && !parsesAsJson(text)) {
      definition.response = text
    } else if (text !== undefined && text !== '') {
      // Text nock would take for JSON (and re-serialise) or binary: exact bytes, as hex.
      definition.response = Buffer.from(text).toString('hex')
      definition.responseIsBinary = true
    }
    definitions.push(definition)
  })
  return definitions
}

/**
 * nock definitions (a JSON array, as nock's recorder writes them) as a cassette, before
 * redaction (see `finishImport`). Each definition becomes one interaction answering with what
 * nock would have sent: JSON and JSON-looking text as JSON, hex with `responseIsBinary` as
 * bytes, content-encoded hex chunks decompressed, `text/event-stream` split into events.
 * Definitions carry no timing, so none is stored.
 *
 * @example
 * const fixtures = [{ scope: 'https://api.example.com:443', method: 'GET', path: '/health', status: 200, response: { ok: true } }]
 * const cassette = fromNock(fixtures, { source: 'fixtures.json' })
 * cassette.interactions.map((interaction) => [interaction.request.method, interaction.request.url, interaction.response.status])
 * // → [['GET', 'https://api.example.com/health', 200]]
 */
export function fromNock(data: unknown, options: NockOptions = {}): Cassette {
  const input: InputSource = { format: 'nock', source: options.source ?? 'input' }
  const definitions = validateInput(NockDefinitionsSchema, data, input)
  return { version: 1, interactions: definitions.map((definition, index) => interactionOf(definition, index, input)) }
}

function matchableBody(interaction: Interaction, where: string, warn: (message: string) => void): JsonValue | undefined {
  const body = interaction.request.body
  if (!body) return undefined
  if ('json' in body) return isContainer(body.json) ? body.json : JSON.stringify(body.json)
  if ('text' in body) return body.text
  warn(`${where}: its request body is binary; the definition matches any body.`)
  return undefined
}

function interactionOf(definition: NockDefinitionInput, index: number, input: InputSource): Interaction {
  const at = (field: string) => `$[${index}].${field}`
  const url = URL.parse(`${scopeOf(definition)}${definition.path}`)
  if (!url) throw new InteropInputError({ ...input, field: at('scope'), problem: `"${definition.scope}" with path "${definition.path}" is not a URL.` })
  const status = definition.reply === undefined ? (definition.status ?? 200) : Number.parseInt(definition.reply, 10)
  if (Number.isNaN(status)) throw new InteropInputError({ ...input, field: at('reply'), problem: `"${definition.reply}" is not a status code.` })

  const requestHeaders = toStoredHeaders(Object.entries(definition.reqheaders ?? {}).map(([name, value]) => [name, String(value)]), 'request')
  const requestBody = requestBodyOf(definition.body, requestHeaders['content-type'])
  const rawPairs = [...headerEntries(definition.rawHeaders), ...headerEntries(definition.headers)]
  const encoding = rawPairs.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1]
  const headers = toStoredHeaders(rawPairs, 'response')
  const body = responseBodyOf(definition, headers['content-type'], encoding, at('response'), input)
  // nock adds this header to a JSON body it serialises; replay must say the same.
  if (body && 'json' in body && headers['content-type'] === undefined) headers['content-type'] = 'application/json'
  const response: RecordedResponse = { status, headers, ...(body ? { body } : {}) }
  return {
    request: { method: definition.method.toUpperCase(), url: url.href, headers: requestHeaders, ...(requestBody ? { body: requestBody } : {}) },
    response,
  }
}

function scopeOf(definition: NockDefinitionInput): string {
  const scope = definition.scope.replace(/\/+$/, '')
  if (definition.port === undefined || /:\d+$/.test(scope)) return scope
  return `${scope}:${definition.port}`
}

function headerEntries(headers: NockDefinitionInput['rawHeaders']): Array<[string, string]> {
  if (!headers) return []
  if (Array.isArray(headers)) {
    // The older raw form: name, value, name, value, …
    const pairs: Array<[string, string]> = []
    for (let index = 0; index + 1 < headers.length; index += 2) pairs.push([headers[index]!, headers[index + 1]!])
    return pairs
  }
  return Object.entries(headers).flatMap(([name, value]): Array<[string, string]> =>
    Array.isArray(value) ? value.map((item): [string, string] => [name, item]) : [[name, String(value)]],
  )
}

function requestBodyOf(body: JsonValue | undefined, contentType: string | undefined): Body | undefined {
  if (body === undefined || body === '') return undefined
  if (typeof body === 'string') return storeBody(body, contentType)
  return { json: body }
}

function responseBodyOf(definition: NockDefinitionInput, contentType: string | undefined, encoding: string | undefined, field: string, input: InputSource): Body | undefined {
  const response = definition.response
  const isStream = (contentType ?? '').toLowerCase().includes('text/event-stream')
  const fromBytes = (bytes: Buffer): Body | undefined => (isStream ? { sse: parseSseText(bytes.toString('utf8')) } : storeBody(bytes, contentType))
  if (response === undefined || response === null || response === '') return undefined
  if (Array.isArray(response) && encoding !== undefined && response.every((chunk) => typeof chunk === 'string')) {
    // The recorder keeps a compressed body as hex chunks; Retrace stores bodies decoded.
    return fromBytes(decompress(Buffer.from(response.join(''), 'hex'), encoding, field, input))
  }
  if (definition.responseIsBinary) {
    if (typeof response !== 'string' || !/^(?:[\da-f]{2})*$/i.test(response)) {
      throw new InteropInputError({ ...input, field, problem: 'responseIsBinary is set, so the response must be a string of hex digits.' })
    }
    return fromBytes(Buffer.from(response, 'hex'))
  }
  if (typeof response === 'string') {
    if (isStream) return { sse: parseSseText(response) }
    // nock.define parses a JSON-looking string and sends it re-serialised, as JSON.
    const json = tryJson(response)
    return json === undefined ? storeBody(response, contentType) : { json }
  }
  return { json: response }
}

function decompress(bytes: Buffer, encoding: string, field: string, input: InputSource): Buffer {
  const name = encoding.trim().toLowerCase()
  try {
    if (name === 'gzip' || name === 'x-gzip') return gunzipSync(bytes)
    if (name === 'deflate') return inflateSync(bytes)
    if (name === 'br') return brotliDecompressSync(bytes)
    if (name === 'identity') return bytes
  } catch (error) {
    throw new InteropInputError({ ...input, field, problem: `the ${name}-encoded body cannot be decoded (${(error as Error).message}).` })
  }
  throw new InteropInputError({ ...input, field, problem: `content-encoding "${encoding}" is not supported (gzip, deflate and br are).` })
}

function tryJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue
  } catch {
    return undefined
  }
}

function parsesAsJson(text: string): boolean {
  return tryJson(text) !== undefined
}

function isContainer(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null
}
