// The public types use Node's (Buffer, NodeJS.ProcessEnv, node:http): load them for every
// user, whatever their tsconfig's "types" (TypeScript 7 defaults it to none).
/// <reference types="node" preserve="true" />
// @retrace/core's public API, by name: what users call (see README.md). Retrace's own
// packages reach the rest through `@retrace/core/internal`; the wire schemas are
// `@retrace/protocol`'s, the cassette format `@retrace/cassettes`'.

// Recording and replay
export { startCassette, withCassette, type CassetteHandle } from './session/start-cassette.ts'
export type { CassetteSummary, ActiveMode, StopOptions } from './session/cassette-session.ts'
export type { CassetteOptions, CassetteMode } from './session/cassette-options.ts'
export type { Redactor } from './redaction/redaction-options.ts'
export { installInterception, isInterceptionInstalled } from './capture/install-interception.ts'
export { withoutInterception } from './capture/session-routing.ts'

// Provider-neutral steps
export { extractStep, stepText, stepToolCalls, toGenAIAttributes, type ExtractStepOptions, type GenAIAttributes, type GenAIAttributeOptions } from './steps/index.ts'

// The run ledger: how a test runner's workers report each cassette's outcome (see @retrace/matchers)
export { openRunLedger, recordLedgerEntry, closeRunLedger, type RunLedger, type LedgerEntry, type LedgerOutcome } from './run-ledger/run-ledger.ts'

// Errors and the cassette types the API hands out
export {
  RetraceError,
  RetraceConfigError,
  CassetteFormatError,
  CassetteSecretError,
  CassetteMismatchError,
  EgressBlockedError,
  CassetteMissingError,
  type MismatchReason,
  type SecretFinding,
  type Interaction,
  type Step,
  type Cassette,
  type RecordedRun,
  type StoredStep,
  type JsonValue,
} from '@retrace/cassettes'

// The runtime SDK
export {
  configure,
  record,
  lastTrace,
  currentTrace,
  span,
  tool,
  agent,
  flush,
  shutdown,
  writeGoldenCassette,
  createTransport,
  RetraceMaskError,
  RetraceEnforcementError,
  RetraceAuthError,
  RetraceCreditsExhaustedError,
  RetraceRateLimitError,
  RetraceConnectionError,
  RetraceBatchRejectedError,
  RetraceJournalError,
  RetraceSerializationError,
  type RuntimeConfig,
  type RuntimeConfigInput,
  type RecordOptions,
  type RecordedTrace,
  type RecordedFunction,
  type RecordDecorator,
  type FlushOutcome,
  type ContentMask,
  type MaskContext,
  type GoldenCassetteOptions,
  type EnforcementCeiling,
  type Transport,
  type TransportOptions,
} from './runtime/index.ts'
