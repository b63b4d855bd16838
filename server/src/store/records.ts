import { z } from 'zod'
import { JsonValueSchema } from '@retrace/cassettes'
import { ErrorInfoSchema } from '@retrace/protocol'

// What the store keeps and the read API serves: one zod schema per record, the source of the
// TypeScript types and of the OpenAPI document.

export const ScopeSchema = z.enum(['ingest', 'read', 'admin'])
export const SCOPES = ScopeSchema.options

export const BudgetsSchema = z.object({
  usdPerDay: z.number().nonnegative().nullable().describe('Blocks LLM calls once the project spent this much today (UTC), from stored LLM spans.'),
  stepsPerRun: z.number().int().positive().nullable().describe('Blocks the next LLM call of a run that made this many.'),
  usdPerRun: z.number().nonnegative().nullable().describe('Blocks the next LLM call of a run that cost this much.'),
})

export const ProjectSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  budgets: BudgetsSchema,
  maxEventsPerDay: z.number().int().positive().nullable().describe('Ingest answers 402 past this many events per UTC day; null: no quota.'),
  secretsMasked: z
    .number()
    .int()
    .nonnegative()
    .describe('Secret-shaped values the server masked in stored events (the shared rules of @retrace/cassettes): what an older or misconfigured SDK, or a raw client, let through. 0 when every client redacts.'),
})

/** A key's own rate limit: requests per second on each server process; 0 none; null the server's --rate-limit. */
export const RateLimitSchema = z
  .number()
  .nonnegative()
  .max(1_000_000)
  .nullable()
  .describe('Requests per second this key may make on each server process (0: unlimited); null: the server’s --rate-limit.')

export const KeySchema = z.object({
  id: z.string(),
  projectId: z.string(),
  accountId: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to tell keys apart; never enough to use it.'),
  scopes: z.array(ScopeSchema),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  rateLimit: RateLimitSchema,
})

export const TraceStatusSchema = z.enum(['running', 'completed', 'failed'])

export const TraceTotalsSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  usd: z.number(),
  durationMs: z.number().nullable(),
  spans: z.number().int(),
  llmCalls: z.number().int(),
  errors: z.number().int(),
})

export const GitMetadataSchema = z.object({
  repository: z.string().max(2000).optional(),
  branch: z.string().max(2000).optional(),
  commit: z.string().max(200).optional(),
  testFile: z.string().max(2000).optional(),
  testName: z.string().max(2000).optional(),
})

export const TraceSummarySchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string().nullable(),
  sessionId: z.string().nullable(),
  status: TraceStatusSchema,
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  tags: z.array(z.string()),
  hasError: z.boolean(),
  lossy: z.boolean(),
  droppedEvents: z.number().int().nullable(),
  terminatedEarly: z.boolean(),
  truncated: z.boolean(),
  resumable: z.boolean(),
  forkOf: z.string().nullable(),
  forkPointStep: z.number().int().nullable(),
  forkId: z.string().nullable(),
  source: z.enum(['sdk', 'cassette']).describe('sdk: streamed by the runtime SDK; cassette: a pushed cassette.'),
  git: GitMetadataSchema.nullable(),
  totals: TraceTotalsSchema,
})

export const TraceRecordSchema = TraceSummarySchema.extend({
  input: JsonValueSchema.nullable(),
  output: JsonValueSchema.nullable(),
  error: ErrorInfoSchema.nullable(),
  metadata: z.record(z.string(), JsonValueSchema).nullable(),
})

export const SessionSchema = z.object({
  id: z.string(),
  traces: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  hasError: z.boolean(),
  totals: z.object({ inputTokens: z.number(), outputTokens: z.number(), usd: z.number() }),
})

export const ConnectionSchema = z.object({
  id: z.string(),
  serverId: z.string(),
  projectId: z.string(),
  keyId: z.string(),
  instanceId: z.string().nullable(),
  sdk: z.string().nullable(),
  runtime: z.string().nullable(),
  resumable: z.array(z.string()).describe('The resumable functions the process registered (its latest register message).'),
  connectedAt: z.string(),
  registeredAt: z.string().nullable(),
})

export type Scope = z.infer<typeof ScopeSchema>
export type Budgets = z.infer<typeof BudgetsSchema>
export type ProjectRecord = z.infer<typeof ProjectSchema>
export type KeyRecord = z.infer<typeof KeySchema>
export type TraceStatus = z.infer<typeof TraceStatusSchema>
export type TraceTotals = z.infer<typeof TraceTotalsSchema>
export type GitMetadata = z.infer<typeof GitMetadataSchema>
export type TraceSummary = z.infer<typeof TraceSummarySchema>
export type TraceRecord = z.infer<typeof TraceRecordSchema>
export type SessionSummary = z.infer<typeof SessionSchema>
export type ConnectionRecord = z.infer<typeof ConnectionSchema>
