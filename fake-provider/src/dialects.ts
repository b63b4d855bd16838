/**
 * What differs between provider families at the HTTP level, independent of the endpoint:
 * which credentials they require, the shape of their error bodies and the headers every
 * response carries. OpenAI Chat and Responses share the `openai` dialect.
 */

import { randomInt, randomUUID } from 'node:crypto'
import { newId } from './ids.ts'

export type DialectName = 'openai' | 'anthropic' | 'gemini'

/** Per-response facts that appear both in headers and, for Anthropic, in error bodies. */
export interface ResponseMeta {
  readonly requestId: string
  readonly startedAt: number
}

/** Extra error fields only OpenAI reports: the offending parameter and a machine-readable code. */
export interface ErrorDetails {
  readonly param?: string
  readonly code?: string
}

export interface HttpDialect {
  readonly name: DialectName
  hasCredentials(headers: Readonly<Record<string, string>>, query: Readonly<Record<string, string>>): boolean
  newResponseMeta(): ResponseMeta
  responseHeaders(meta: ResponseMeta): Record<string, string>
  /** The provider's error JSON for an HTTP status. */
  errorBody(status: number, message: string, meta: ResponseMeta, details?: ErrorDetails): unknown
  readonly messages: {
    readonly missingCredentials: string
    readonly invalidJson: string
    readonly rateLimited: string
    readonly serverError: string
    notFound(method: string, path: string): string
  }
}

// What a CDN edge in front of a real provider adds to every response, different each time.
function edgeHeaders(): Record<string, string> {
  return {
    'cf-ray': `${newId('cfRay')}-CDG`,
    'set-cookie': `__cf_bm=${newId('cookie')}; path=/; expires=${new Date(Date.now() + 1_800_000).toUTCString()}; HttpOnly; Secure; SameSite=None`,
  }
}

const hasBearerToken = (headers: Readonly<Record<string, string>>): boolean =>
  /^Bearer\s+\S/iu.test(headers['authorization'] ?? '')

export const openaiDialect: HttpDialect = {
  name: 'openai',
  hasCredentials: (headers) => hasBearerToken(headers),
  newResponseMeta: () => ({ requestId: newId('openaiRequest'), startedAt: Date.now() }),
  responseHeaders: (meta) => ({
    'x-request-id': meta.requestId,
    'openai-processing-ms': String(Date.now() - meta.startedAt),
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': String(9999 - randomInt(100)),
    'x-ratelimit-reset-requests': `${randomInt(1, 900)}ms`,
    ...edgeHeaders(),
  }),
  errorBody(status, message, _meta, details) {
    const { type, code } = openaiErrorKind(status)
    return { error: { message, type, param: details?.param ?? null, code: details?.code ?? code } }
  },
  messages: {
    missingCredentials:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    invalidJson:
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    rateLimited: 'Rate limit reached for requests. Please try again in 0s.',
    serverError: 'The server had an error while processing your request. Sorry about that!',
    notFound: (method, path) => `Invalid URL (${method} ${path})`,
  },
}

function openaiErrorKind(status: number): { type: string; code: string | null } {
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' }
  if (status >= 500) return { type: 'server_error', code: null }
  return { type: 'invalid_request_error', code: null }
}

export const anthropicDialect: HttpDialect = {
  name: 'anthropic',
  // Anthropic also accepts OAuth bearer tokens (the SDK's `authToken`).
  hasCredentials: (headers) => (headers['x-api-key'] ?? '') !== '' || hasBearerToken(headers),
  newResponseMeta: () => ({ requestId: newId('anthropicRequest'), startedAt: Date.now() }),
  responseHeaders: (meta) => ({
    'request-id': meta.requestId,
    'anthropic-organization-id': randomUUID(),
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': String(3999 - randomInt(100)),
    'anthropic-ratelimit-requests-reset': new Date(meta.startedAt + 1000 + randomInt(1000)).toISOString(),
    ...edgeHeaders(),
  }),
  errorBody: (status, message, meta) => ({
    type: 'error',
    error: { type: anthropicErrorType(status), message },
    request_id: meta.requestId,
  }),
  messages: {
    missingCredentials: 'x-api-key header is required',
    invalidJson: 'There was an error parsing the body: invalid JSON',
    rateLimited: 'Number of request tokens has exceeded your per-minute rate limit.',
    serverError: 'Internal server error',
    notFound: () => 'Not Found',
  },
}

function anthropicErrorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    529: 'overloaded_error',
  }
  return types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error')
}

export const geminiDialect: HttpDialect = {
  name: 'gemini',
  hasCredentials: (headers, query) => (headers['x-goog-api-key'] ?? '') !== '' || (query['key'] ?? '') !== '',
  newResponseMeta: () => ({ requestId: newId('geminiResponse'), startedAt: Date.now() }),
  responseHeaders: (meta) => ({ 'server-timing': `gfet4t7; dur=${Date.now() - meta.startedAt}` }),
  errorBody: (status, message) => ({ error: { code: status, message, status: geminiErrorStatus(status) } }),
  messages: {
    missingCredentials:
      'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.',
    invalidJson: 'Invalid JSON payload received. Unexpected token.',
    rateLimited: 'Resource has been exhausted (e.g. check quota).',
    serverError: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    notFound: (method, path) => `The requested URL ${path} was not found on this server (${method}).`,
  },
}

function geminiErrorStatus(status: number): string {
  const statuses: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    429: 'RESOURCE_EXHAUSTED',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  }
  return statuses[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION')
}
