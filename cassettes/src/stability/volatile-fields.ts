import { isJsonObject, type JsonValue } from '../json/json-value.ts'

/**
 * Response fields whose values change on every call even when nothing else does: generated
 * ids, timestamps, fingerprints, thinking signatures. They are kept in the cassette (replay
 * is faithful) but never decide whether two runs are the same.
 */
export const VOLATILE_BODY_KEYS: ReadonlySet<string> = new Set([
  'id',
  'created',
  'created_at',
  'completed_at',
  'createTime',
  'system_fingerprint',
  'responseId',
  'tool_call_id',
  'tool_use_id',
  'call_id',
  'item_id',
  'request_id',
  'requestId',
  'signature',
  'encrypted_content',
  'obfuscation',
])

/**
 * Response headers that differ per call (dates, request ids, timings, edge routing) or that
 * describe the bytes on the wire rather than the content (replay serves decoded bodies).
 */
export const VOLATILE_HEADERS: ReadonlySet<string> = new Set([
  'date',
  'age',
  'expires',
  'last-modified',
  'etag',
  'x-request-id',
  'request-id',
  'x-amzn-requestid',
  'x-amz-cf-id',
  'x-cloud-trace-context',
  'openai-processing-ms',
  'x-envoy-upstream-service-time',
  'cf-ray',
  'cf-cache-status',
  'server-timing',
  'alt-svc',
  'via',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
  'anthropic-ratelimit-requests-remaining',
  'anthropic-ratelimit-requests-reset',
  'anthropic-ratelimit-tokens-remaining',
  'anthropic-ratelimit-tokens-reset',
  'anthropic-ratelimit-input-tokens-remaining',
  'anthropic-ratelimit-input-tokens-reset',
  'anthropic-ratelimit-output-tokens-remaining',
  'anthropic-ratelimit-output-tokens-reset',
  'retry-after-ms',
])

/**
 * Response headers a client acts on: how to read the body, where to go next, when to retry.
 * Only these decide whether a re-recorded response is the same as the recorded one; the
 * others (rate-limit counters, request ids, cookies, timings) are kept as first recorded.
 */
export const REPLAYED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-disposition',
  'content-range',
  'location',
  'link',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  'www-authenticate',
])

/**
 * Headers never stored at all: hop-by-hop and framing headers that would be wrong once the
 * body is stored decoded, plus request headers that SDKs vary per attempt.
 */
export const UNSTORED_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'host',
  'accept-encoding',
  'user-agent',
  'traceparent',
  'tracestate',
  'idempotency-key',
])

/**
 * True for a header whose value should not decide whether two runs are the same.
 *
 * @example
 * isVolatileHeader('x-request-id') // → true
 * isVolatileHeader('x-stainless-retry-count') // → true
 */
export function isVolatileHeader(name: string): boolean {
  const lower = name.toLowerCase()
  return VOLATILE_HEADERS.has(lower) || lower.startsWith('x-stainless-')
}

const MASK = '<volatile>'

/**
 * A copy of a JSON value with every volatile field's value replaced by a placeholder, for
 * comparisons that should ignore ids and timestamps.
 *
 * @example
 * maskVolatileFields({ id: 'chatcmpl-1', choices: [] }) // → { id: '<volatile>', choices: [] }
 */
export function maskVolatileFields(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(maskVolatileFields)
  if (!isJsonObject(value)) return value
  const out: { [key: string]: JsonValue } = {}
  for (const [key, item] of Object.entries(value)) {
    out[key] = VOLATILE_BODY_KEYS.has(key) && (typeof item === 'string' || typeof item === 'number') ? MASK : maskVolatileFields(item)
  }
  return out
}
