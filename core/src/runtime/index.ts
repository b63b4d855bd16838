// The runtime SDK's exports, by name: core's public entry (src/index.ts) and its internal
// entry (src/internal.ts) each pick theirs from here. The wire schemas are not among them:
// they are @retrace/protocol's.
export { configure } from './configure.ts'
export { RuntimeConfigSchema, resolveRuntimeConfig, DEFAULT_BASE_URL, type RuntimeConfig, type RuntimeConfigInput } from './config/runtime-config.ts'
export { record, lastTrace, currentTrace, type RecordOptions, type RecordedTrace, type RecordedFunction, type RecordDecorator } from './record.ts'
export { span, tool, agent } from './span.ts'
export { flush, shutdown, type FlushOutcome } from './flush.ts'
export { RetraceMaskError } from './content/retrace-mask-error.ts'
export type { ContentMask, MaskContext } from './content/content-mask.ts'
export { writeGoldenCassette, type GoldenCassetteOptions } from './golden/write-golden-cassette.ts'
export { RetraceEnforcementError, type EnforcementCeiling } from './enforcement/retrace-enforcement-error.ts'
export { checkRunLimits, type RunLimits, type LimitBreach } from './enforcement/run-limits.ts'
export { isSampled } from './sampling.ts'
export { runtime } from './runtime.ts'
export type { RuntimeTransport, TransportFactory } from './runtime-transport.ts'
export { createRuntimeTransport } from './default-transport.ts'
export {
  createTransport,
  installExitFlush,
  checkPolicy,
  defaultJournalRoot,
  journalDirectory,
  JOURNAL_DIR_VARIABLE,
  RetraceAuthError,
  RetraceCreditsExhaustedError,
  RetraceRateLimitError,
  RetraceConnectionError,
  RetraceBatchRejectedError,
  RetraceJournalError,
  RetraceSerializationError,
  type Transport,
  type TransportState,
  type TransportStats,
  type FlushResult,
  type TransportOptions,
  type BackoffOptions,
  type ExitFlushOptions,
  type ExitFlushTarget,
  type ExitReason,
  type PolicyCheckOptions,
} from './transport/index.ts'
