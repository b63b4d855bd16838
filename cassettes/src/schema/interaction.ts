import { z } from 'zod'
import { BodySchema } from './body.ts'
import { StoredStepSchema } from './step.ts'

// What HTTP lets a header carry, and what replay can hand to `new Response()` (a ByteString
// without CR, LF or NUL) and to node:http (`writeHead` refuses other control characters).
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
/** Node's HTTP clients refuse a response whose header section is larger (`http.maxHeaderSize`). */
const MAX_HEADER_BYTES = 16 * 1024
/** Statuses that never have a body: `new Response()` refuses one. */
const NULL_BODY_STATUSES = new Set([204, 205, 304])

const HeaderNameSchema = z.string().regex(HEADER_NAME, {
  message: 'a header name is letters, digits and !#$%&\'*+-.^_`|~ only (an HTTP token)',
})
const HeaderValueSchema = z.string().regex(HEADER_VALUE, {
  message: 'a header value can hold only Latin-1 characters and tabs, no line breaks or other control characters (HTTP sends bytes; fetch and node:http refuse the rest); percent-encode or remove the others',
})

/** Header names are lower-case; repeated headers are joined with `, `. */
export const HeadersSchema = z.record(HeaderNameSchema, HeaderValueSchema)

export const RecordedRequestSchema = z.looseObject({
  method: z.string(),
  /** The URL as sent, with secret query parameters redacted. */
  url: z.string(),
  headers: HeadersSchema,
  body: BodySchema.optional(),
})

/** How a response body ended when it did not end cleanly. */
export const BodyEndSchema = z.looseObject({
  outcome: z.enum(['aborted', 'error']),
  /** Milliseconds after the response headers. */
  t: z.number().nonnegative(),
  message: z.string().optional(),
})

export const RecordedResponseSchema = z
  .looseObject({
    /** 200–599: what a fetch `Response` can have (1xx are interim, never the recorded answer). */
    status: z.number().int().min(200).max(599),
    statusText: z.string().regex(HEADER_VALUE, { message: 'a status text can hold only Latin-1 characters and tabs, no line breaks' }).optional(),
    headers: HeadersSchema,
    body: BodySchema.optional(),
    end: BodyEndSchema.optional(),
  })
  .superRefine((response, context) => {
    if (NULL_BODY_STATUSES.has(response.status)) {
      for (const field of ['body', 'end'] as const) {
        if (response[field] !== undefined) {
          context.addIssue({ code: 'custom', path: [field], message: `a ${response.status} response has no body: remove "${field}" or change the status` })
        }
      }
    }
    let size = (response.statusText ?? '').length
    for (const [name, value] of Object.entries(response.headers)) size += name.length + value.length + 4
    if (size > MAX_HEADER_BYTES) {
      context.addIssue({
        code: 'custom',
        path: ['headers'],
        message: `the headers add up to ${size} bytes, more than the ${MAX_HEADER_BYTES} Node's HTTP clients accept in a response; shorten or remove the largest`,
      })
    }
  })

/** A request that got no response at all (connection refused, DNS failure, aborted before headers). */
export const NetworkErrorSchema = z.looseObject({
  message: z.string(),
  name: z.string().optional(),
  code: z.string().optional(),
})

export const TimingSchema = z.looseObject({
  /** Milliseconds from sending the request to the response headers. */
  latencyMs: z.number().nonnegative(),
  /** Milliseconds from sending the request to the end of the body. */
  durationMs: z.number().nonnegative().optional(),
})

/** One request and what came back, plus the provider-neutral step when it was an LLM call. */
export const InteractionSchema = z.looseObject({
  request: RecordedRequestSchema,
  response: RecordedResponseSchema.optional(),
  error: NetworkErrorSchema.optional(),
  step: StoredStepSchema.optional(),
  timing: TimingSchema.optional(),
})

export type Headers = z.infer<typeof HeadersSchema>
export type RecordedRequest = z.infer<typeof RecordedRequestSchema>
export type RecordedResponse = z.infer<typeof RecordedResponseSchema>
export type BodyEnd = z.infer<typeof BodyEndSchema>
export type NetworkError = z.infer<typeof NetworkErrorSchema>
export type Timing = z.infer<typeof TimingSchema>
export type Interaction = z.infer<typeof InteractionSchema>
