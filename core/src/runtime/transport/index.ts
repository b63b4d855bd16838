export { createTransport, type Transport, type TransportState, type TransportStats, type FlushResult } from './transport.ts'
export type { TransportOptions } from './transport-options.ts'
export type { BackoffOptions } from './backoff.ts'
export { installExitFlush, type ExitFlushOptions, type ExitFlushTarget, type ExitReason } from './exit-flush.ts'
export { checkPolicy, type PolicyCheckOptions } from './policy-check.ts'
export { defaultJournalRoot, journalDirectory, JOURNAL_DIR_VARIABLE } from './journal-location.ts'
export {
  RetraceAuthError,
  RetraceCreditsExhaustedError,
  RetraceRateLimitError,
  RetraceConnectionError,
  RetraceBatchRejectedError,
  RetraceJournalError,
  RetraceSerializationError,
} from './errors.ts'
