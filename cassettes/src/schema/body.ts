import { z } from 'zod'
import type { JsonValue } from '../json/json-value.ts'

/**
 * Any JSON value. Not walked: cassettes come from `JSON.parse`, whose output is JSON by
 * construction, and a deep check of every body costs more than the rest of the validation.
 */
export const JsonValueSchema = z.custom<JsonValue>((value) => value !== undefined && typeof value !== 'function' && typeof value !== 'symbol' && typeof value !== 'bigint', {
  message: 'expected a JSON value',
})

/**
 * One server-sent event as received: `t` is milliseconds after the response headers,
 * `data` holds the payload when it is JSON (readable in a diff), `text` when it is not
 * (for example OpenAI's `[DONE]`), `comment` for `: keep-alive` lines.
 */
export const SseEventSchema = z.object({
  t: z.number().nonnegative(),
  event: z.string().optional(),
  id: z.string().optional(),
  retry: z.number().optional(),
  data: JsonValueSchema.optional(),
  text: z.string().optional(),
  comment: z.string().optional(),
})

/** A JSON body, stored as structured JSON (never as an escaped string). */
export const JsonBodySchema = z.strictObject({ json: JsonValueSchema })
/** A body that is text but not JSON. */
export const TextBodySchema = z.strictObject({ text: z.string() })
/** A binary body, base64-encoded. */
export const Base64BodySchema = z.strictObject({ base64: z.string() })
/** A `text/event-stream` body, event by event with timing offsets. */
export const SseBodySchema = z.strictObject({ sse: z.array(SseEventSchema) })

// Body variants are strict objects: exactly one of json / text / base64 / sse, so a typo in a
// hand-edited cassette is reported instead of silently ignored.

/**
 * A stored message body. Compressed bodies are stored decoded; the encoding header is
 * not kept, because replay serves the decoded bytes.
 */
export const BodySchema = z.union([JsonBodySchema, SseBodySchema, TextBodySchema, Base64BodySchema])

export type SseEvent = z.infer<typeof SseEventSchema>
export type JsonBody = z.infer<typeof JsonBodySchema>
export type TextBody = z.infer<typeof TextBodySchema>
export type Base64Body = z.infer<typeof Base64BodySchema>
export type SseBody = z.infer<typeof SseBodySchema>
export type Body = z.infer<typeof BodySchema>
