// The public types use Node's (Buffer, NodeJS.ProcessEnv, node:http): load them for every
// user, whatever their tsconfig's "types" (TypeScript 7 defaults it to none).
/// <reference types="node" preserve="true" />
/**
 * `@retrace/core/internal`: NOT public API. What Retrace's own packages (the matchers, the
 * CLI, the runner plugins, the benchmarks) need from the recorder beyond its public entry.
 * It changes in any release without notice; import `@retrace/core` instead.
 */

// Capture and sessions
export { egressRefusal, BLOCK_EGRESS_VARIABLE, ALLOW_HOSTS_VARIABLE } from './capture/egress-policy.ts'
export { CassetteOptionsSchema, isCI } from './session/cassette-options.ts'
export { createRedactor, type Redaction } from './redaction/redactor.ts'
export { DEFAULT_REDACTED_HEADERS, DEFAULT_REDACTED_QUERY_PARAMS } from './redaction/redaction-options.ts'

// Bodies: storing, the one SSE parser, replay
export { storeBody } from './recording/body-codec.ts'
export { parseSseText, sseEvent } from './recording/sse-events.ts'
export { replaySourceOf, type ReplaySource, type ReplayChunk } from './replay/replay-source.ts'

// Steps and pricing
export { detectLlmApi, storedStepOf, type LlmApi, type LlmApiMatch } from './steps/index.ts'
export {
  DEFAULT_PRICE_TABLE,
  estimateCost,
  findModelPrice,
  normalizeModelName,
  promptTokens,
  uncachedInputTokens,
  type ModelPrice,
  type PriceTable,
  type TokenPrices,
  type CostEstimate,
  type ModelPriceMatch,
} from './pricing/index.ts'

// The run ledger, read side
export { readRunLedger, RUN_DIR_VARIABLE, LedgerEntrySchema, LedgerOutcomeSchema } from './run-ledger/run-ledger.ts'
export { VERSION } from './version.ts'

// The runtime SDK's machinery
export {
  runtime,
  createRuntimeTransport,
  RuntimeConfigSchema,
  resolveRuntimeConfig,
  DEFAULT_BASE_URL,
  checkRunLimits,
  isSampled,
  installExitFlush,
  checkPolicy,
  defaultJournalRoot,
  journalDirectory,
  JOURNAL_DIR_VARIABLE,
  type RuntimeTransport,
  type TransportFactory,
  type RunLimits,
  type LimitBreach,
  type TransportState,
  type TransportStats,
  type FlushResult,
  type BackoffOptions,
  type ExitFlushOptions,
  type ExitFlushTarget,
  type ExitReason,
  type PolicyCheckOptions,
} from './runtime/index.ts'
