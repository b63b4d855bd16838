import { RetraceError } from '@retrace/cassettes'

// What the transport reports to `onError`. None of these is ever thrown into the agent: the
// transport keeps running (or stops quietly) and the SDK decides what to show.

/**
 * The server refused the API key (HTTP 401/403, close code 4401). Sending stops for this process.
 *
 * @example
 * const error = new RetraceAuthError('The Retrace server refused the API key (HTTP 403).', { status: 403 })
 * error.code // → 'RETRACE_AUTH'
 * error.status // → 403
 */
export class RetraceAuthError extends RetraceError {
  /** The HTTP status (or close code) that said so. */
  readonly status: number

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super('RETRACE_AUTH', message, {
      hint: 'Check RETRACE_API_KEY (or configure({ apiKey })): the server did not accept it. Events recorded so far stay in the journal.',
      cause: options.cause,
    })
    this.status = options.status ?? 401
  }
}

/**
 * The account is out of credits (HTTP 402, close code 4402). Delivery pauses; events stay in the journal.
 *
 * @example
 * new RetraceCreditsExhaustedError('The Retrace account is out of credits.').code // → 'RETRACE_CREDITS_EXHAUSTED'
 */
export class RetraceCreditsExhaustedError extends RetraceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('RETRACE_CREDITS_EXHAUSTED', message, {
      hint: 'Add credits to the Retrace account: pending events are kept in the journal and delivered once the server accepts them again.',
      cause: options.cause,
    })
  }
}

/**
 * The server asked the SDK to slow down (HTTP 429, close code 4429). Delivery pauses for `retryAfter` seconds.
 *
 * @example
 * const error = new RetraceRateLimitError(2)
 * error.retryAfter // → 2
 * error.message // → 'The Retrace server is rate limiting this client: retrying in 2 s.'
 */
export class RetraceRateLimitError extends RetraceError {
  /** Seconds to wait before sending again. */
  readonly retryAfter: number

  constructor(retryAfter: number, options: { message?: string; cause?: unknown } = {}) {
    super('RETRACE_RATE_LIMITED', options.message ?? `The Retrace server is rate limiting this client: retrying in ${retryAfter} s.`, { cause: options.cause })
    this.retryAfter = retryAfter
  }
}

/**
 * The server could not be reached, or answered 5xx. Reported once per outage (not per
 * retry); the transport keeps retrying with backoff and journals what it cannot send.
 *
 * @example
 * new RetraceConnectionError('Could not reach https://api.retrace.dev: connect ECONNREFUSED').code // → 'RETRACE_CONNECTION'
 */
export class RetraceConnectionError extends RetraceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('RETRACE_CONNECTION', message, {
      hint: 'Events are kept in the journal and delivered when the server is reachable again (or by the next process that starts).',
      cause: options.cause,
    })
  }
}

/**
 * The server refused a batch or some of its events as invalid (HTTP 400/413/422, or an
 * `ack` listing `rejected` events). Resending would not help, so they are dropped and their
 * traces marked lossy.
 *
 * @example
 * const error = new RetraceBatchRejectedError('b1', 'The server refused 1 event(s) of batch b1: span.name is required', ['e7'])
 * error.eventIds // → ['e7']
 */
export class RetraceBatchRejectedError extends RetraceError {
  readonly batchId: string
  /** Ids of the refused events, when the server named them. */
  readonly eventIds: readonly string[]

  constructor(batchId: string, message: string, eventIds: readonly string[] = []) {
    super('RETRACE_BATCH_REJECTED', message)
    this.batchId = batchId
    this.eventIds = eventIds
  }
}

/**
 * The on-disk journal cannot be written (read-only folder, disk full) or read back. Events
 * are kept in memory only, so a crash or an outage longer than the buffer can lose them.
 *
 * @example
 * const error = new RetraceJournalError('/var/lib/retrace', 'The journal folder /var/lib/retrace is read-only.')
 * error.path // → '/var/lib/retrace'
 * error.hint // → 'Point RETRACE_JOURNAL_DIR at a writable folder with free space.'
 */
export class RetraceJournalError extends RetraceError {
  /** The journal file or folder concerned. */
  readonly path: string

  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super('RETRACE_JOURNAL', message, {
      hint: 'Point RETRACE_JOURNAL_DIR at a writable folder with free space.',
      cause: options.cause,
    })
    this.path = path
  }
}

/**
 * An event could not be serialised to JSON even after conversion (a getter or `toJSON` that
 * throws, a revoked Proxy). That event is dropped and its trace marked lossy.
 *
 * @example
 * new RetraceSerializationError('s1', { cause: new Error('getter threw') }).message // → 'Event s1 could not be serialised and was dropped: getter threw'
 */
export class RetraceSerializationError extends RetraceError {
  /** The event's id, when it had one. */
  readonly eventId: string | undefined

  constructor(eventId: string | undefined, options: { cause?: unknown } = {}) {
    super('RETRACE_SERIALIZATION', `Event ${eventId ?? '(no id)'} could not be serialised and was dropped: ${(options.cause as Error | undefined)?.message ?? 'unknown error'}`, {
      cause: options.cause,
    })
    this.eventId = eventId
  }
}
