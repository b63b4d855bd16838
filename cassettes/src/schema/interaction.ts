import { z } from 'zod'
import { BodySchema } from './body.ts'
import { StoredStepSchema } from './step.ts'

/** Header names are lower-case; repeated headers are joined with `, `. */
export const HeadersSchema = z.record(z.string(), z.string())

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

export const RecordedResponseSchema = z.looseObject({
  status: z.number().int(),
  statusText: z.string().optional(),
  headers: HeadersSchema,
  body: BodySchema.optional(),
  end: BodyEndSchema.optional(),
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
