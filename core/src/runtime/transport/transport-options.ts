import { RetraceConfigError, type RetraceError } from '@retrace/cassettes'
import { VERSION } from '../../version.ts'
import type { BackoffOptions } from './backoff.ts'
import { defaultJournalRoot, journalDirectory } from './journal-location.ts'

/** Options of `createTransport`. Only `baseUrl` and `apiKey` are required. */
export interface TransportOptions {
  /** The Retrace API, e.g. `https://api.retrace.dev` (a path prefix is kept). */
  baseUrl: string
  /** Sent as `x-retrace-key` on the WebSocket upgrade and on every HTTP request. */
  apiKey: string
  projectId?: string | undefined
  /**
   * Folder for the write-ahead journal: a sub-folder per destination is made in it. Default:
   * `RETRACE_JOURNAL_DIR`, else `retrace/journal` in the OS cache folder. `false`: no journal
   * (a crash or an outage longer than the buffer loses events).
   */
  journalDir?: string | false | undefined
  /**
   * `auto` (default): the WebSocket, HTTP batches while it is down. `ws`: the WebSocket only
   * (batches wait in the buffer and journal while it is down). `http`: HTTP batches only (no
   * socket, so no resume commands).
   */
  channels?: 'auto' | 'ws' | 'http' | undefined
  /** Most events per batch (default 500, at most 1,000). */
  maxBatchEvents?: number | undefined
  /** Most bytes per batch frame (default 1 MiB, at most 16 MiB; a larger single event is sent alone). */
  maxBatchBytes?: number | undefined
  /** How long an event waits for companions before its batch is cut (default 50 ms). */
  batchIntervalMs?: number | undefined
  /**
   * Events held in memory (default 10,000), not counting batches being written to a socket.
   * Beyond it, frames already in the journal are released (read back when sent); if the
   * journal is unavailable, the oldest events are dropped and their traces marked lossy.
   */
  maxBufferedEvents?: number | undefined
  /** Batches sent over the WebSocket and not yet acknowledged (default 8). */
  maxInFlightBatches?: number | undefined
  /** Concurrent POSTs while the WebSocket is down (default 2). */
  httpConcurrency?: number | undefined
  /** A WebSocket batch not acknowledged within this is taken as a dead connection (default 15 s). */
  ackTimeoutMs?: number | undefined
  /** Timeout of each HTTP request (default 10 s). */
  requestTimeoutMs?: number | undefined
  /** Timeout of the WebSocket handshake (default 5 s); the HTTP fallback is used meanwhile only after a failure. */
  handshakeTimeoutMs?: number | undefined
  /** Retry schedule of the WebSocket reconnects and of failed HTTP posts (default 0.5 s doubling to 30 s, jitter 0.5). */
  backoff?: BackoffOptions | undefined
  /** Pause after a 402 with no `retry-after` (default 5 min). */
  creditsPauseMs?: number | undefined
  /** Offer permessage-deflate on the WebSocket (default true; the server decides). */
  compression?: boolean | undefined
  /** Size limit of this process's journal file (default 256 MiB). */
  maxJournalBytes?: number | undefined
  /** A journal whose owner stopped its heartbeat this long ago is taken over (default 2 min). */
  orphanAfterMs?: number | undefined
  /** Orphaned journals older than this are deleted, not delivered (default 7 days). */
  maxJournalAgeMs?: number | undefined
  /** Names of the resumable functions, read at every (re)connect for the `register` message. */
  resumable?: (() => readonly string[]) | undefined
  /** SDK name and version in `register` (default `@retrace/core <version>`). */
  sdk?: string | undefined
  /** Allow `http://` to a host that is not loopback (the key would travel in clear). Default false. */
  allowInsecureHttp?: boolean | undefined
  /**
   * Failures the agent must not see: auth, credits, rate limits, outages, journal problems,
   * refused batches. Default: a one-line warning on stderr, at most once a minute per kind.
   */
  onError?: ((error: RetraceError) => void) | undefined
  /** A trace lost events (called once per trace). The transport also sends a `trace.lossy` marker. */
  onLossy?: ((traceId: string) => void) | undefined
  /** Environment for defaults (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined
}

/** Options with every default filled in. */
export interface ResolvedTransportOptions {
  baseUrl: string
  apiKey: string
  projectId: string | undefined
  /** The destination's journal folder, or undefined when journaling is off. */
  journalDir: string | undefined
  channels: 'auto' | 'ws' | 'http'
  maxBatchEvents: number
  maxBatchBytes: number
  batchIntervalMs: number
  maxBufferedEvents: number
  maxInFlightBatches: number
  httpConcurrency: number
  ackTimeoutMs: number
  requestTimeoutMs: number
  handshakeTimeoutMs: number
  backoff: BackoffOptions
  creditsPauseMs: number
  compression: boolean
  maxJournalBytes: number
  orphanAfterMs: number
  maxJournalAgeMs: number
  resumable: () => readonly string[]
  sdk: string
  onError: (error: RetraceError) => void
  onLossy: (traceId: string) => void
}

/**
 * Fills in defaults and checks the base URL. Throws `RetraceConfigError` for a base URL that
 * is not http(s), or plain http to a remote host without `allowInsecureHttp`: a mistake to
 * report at configuration time, not a network condition.
 *
 * @example
 * import assert from 'node:assert/strict'
 * const resolved = resolveTransportOptions({ baseUrl: 'https://api.retrace.dev/', apiKey: 'rt_test', journalDir: '/tmp/journals' })
 * resolved.baseUrl // → 'https://api.retrace.dev'
 * resolved.journalDir?.startsWith('/tmp/journals/api.retrace.dev-') // → true
 * assert.throws(() => resolveTransportOptions({ baseUrl: 'http://api.example.com', apiKey: 'rt_test' }), /plain http/)
 */
export function resolveTransportOptions(options: TransportOptions): ResolvedTransportOptions {
  const baseUrl = checkBaseUrl(options.baseUrl, options.allowInsecureHttp === true)
  const positive = (value: number | undefined, fallback: number) => (value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback)
  const journalRoot = options.journalDir === false ? undefined : (options.journalDir ?? defaultJournalRoot(options.env ?? process.env))
  return {
    baseUrl,
    apiKey: options.apiKey,
    projectId: options.projectId,
    journalDir: journalRoot === undefined ? undefined : journalDirectory({ baseUrl, apiKey: options.apiKey, projectId: options.projectId }, journalRoot),
    // Capped at what PROTOCOL.md promises servers (1,000 events, 16 MiB).
    channels: options.channels ?? 'auto',
    maxBatchEvents: Math.min(positive(options.maxBatchEvents, 500), 1_000),
    maxBatchBytes: Math.min(positive(options.maxBatchBytes, 1024 * 1024), 16 * 1024 * 1024),
    batchIntervalMs: options.batchIntervalMs !== undefined && options.batchIntervalMs >= 0 ? options.batchIntervalMs : 50,
    maxBufferedEvents: positive(options.maxBufferedEvents, 10_000),
    maxInFlightBatches: positive(options.maxInFlightBatches, 8),
    httpConcurrency: positive(options.httpConcurrency, 2),
    ackTimeoutMs: positive(options.ackTimeoutMs, 15_000),
    requestTimeoutMs: positive(options.requestTimeoutMs, 10_000),
    handshakeTimeoutMs: positive(options.handshakeTimeoutMs, 5_000),
    backoff: options.backoff ?? {},
    creditsPauseMs: positive(options.creditsPauseMs, 5 * 60_000),
    compression: options.compression ?? true,
    maxJournalBytes: positive(options.maxJournalBytes, 256 * 1024 * 1024),
    orphanAfterMs: positive(options.orphanAfterMs, 120_000),
    maxJournalAgeMs: positive(options.maxJournalAgeMs, 7 * 24 * 60 * 60_000),
    resumable: options.resumable ?? (() => []),
    sdk: options.sdk ?? `@retrace/core ${VERSION}`,
    onError: options.onError ?? warnOnStderr(),
    onLossy: options.onLossy ?? (() => {}),
  }
}

function checkBaseUrl(value: string, allowInsecureHttp: boolean): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new RetraceConfigError('baseUrl', `${JSON.stringify(value)} is not a URL.`, 'Set RETRACE_BASE_URL to e.g. https://api.retrace.dev.')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RetraceConfigError('baseUrl', `expected an http(s) URL, got ${url.protocol}`, 'The WebSocket URL is derived from it (https → wss).')
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopback(url.hostname)) {
    throw new RetraceConfigError('baseUrl', `${url.origin} is plain http: the API key would travel in clear.`, 'Use https, or allowInsecureHttp: true on a trusted private network.')
  }
  url.search = ''
  url.hash = ''
  return url.toString().replace(/\/+$/, '')
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

/**
 * The default `onError`: one line on stderr, at most once a minute per error code.
 *
 * @example
 * import { RetraceError } from '@retrace/cassettes'
 * const onError = warnOnStderr()
 * onError(new RetraceError('RETRACE_CONNECTION', 'Could not reach the Retrace server.')) // one line on stderr
 * onError(new RetraceError('RETRACE_CONNECTION', 'Could not reach the Retrace server.')) // the same code within a minute: silent
 */
export function warnOnStderr(): (error: RetraceError) => void {
  const lastShown = new Map<string, number>()
  return (error) => {
    const now = Date.now()
    if (now - (lastShown.get(error.code) ?? -Infinity) < 60_000) return
    lastShown.set(error.code, now)
    process.stderr.write(`[retrace] ${error.message.split('\n')[0]}\n`)
  }
}
