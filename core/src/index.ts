// The public types use Node's (Buffer, NodeJS.ProcessEnv, node:http): load them for every
// user, whatever their tsconfig's "types" (TypeScript 7 defaults it to none).
/// <reference types="node" preserve="true" />
export { startCassette, withCassette, type CassetteHandle } from './session/start-cassette.ts'
export type { CassetteSummary, ActiveMode, StopOptions } from './session/cassette-session.ts'
export { type CassetteOptions, type CassetteMode, CassetteOptionsSchema, isCI } from './session/cassette-options.ts'
export { installInterception, isInterceptionInstalled } from './capture/install-interception.ts'
export { withoutInterception } from './capture/session-routing.ts'
export { egressRefusal, BLOCK_EGRESS_VARIABLE, ALLOW_HOSTS_VARIABLE } from './capture/egress-policy.ts'
export { createRedactor, type Redaction } from './redaction/redactor.ts'
export { DEFAULT_REDACTED_HEADERS, DEFAULT_REDACTED_QUERY_PARAMS, type Redactor } from './redaction/redaction-options.ts'
export * from './steps/index.ts'
export { storeBody } from './recording/body-codec.ts'
export { serializeSseEvent } from '@retrace/cassettes'
export { parseSseText } from './recording/sse-events.ts'
export { replaySourceOf, type ReplaySource, type ReplayChunk } from './replay/replay-source.ts'
export * from './pricing/index.ts'
export {
  openRunLedger,
  recordLedgerEntry,
  readRunLedger,
  closeRunLedger,
  RUN_DIR_VARIABLE,
  LedgerEntrySchema,
  LedgerOutcomeSchema,
  type RunLedger,
  type LedgerEntry,
  type LedgerOutcome,
} from './run-ledger/run-ledger.ts'
export * from './runtime/index.ts'
export { sseEvent } from './recording/sse-events.ts'
export { VERSION } from './version.ts'
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
