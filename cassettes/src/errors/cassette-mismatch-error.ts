import { formatRequestDifferences, type RequestDifference } from '../matching/describe-request-diff.ts'
import { RetraceError } from './retrace-error.ts'

/**
 * Why a request could not be answered from the cassette:
 * - `unmatched`: no recorded request has the same key (the agent now asks something else);
 * - `exhausted`: it matched, but every recorded copy was already replayed;
 * - `egress-blocked`: the cassette never went to that host, and the host is not allowed.
 */
export type MismatchReason = 'unmatched' | 'exhausted' | 'egress-blocked'

/** What the error knows about the request that failed. */
export interface MismatchDetails {
  file: string
  reason: MismatchReason
  method: string
  url: string
  /** 1-based position of this request among the requests the run made. */
  requestNumber: number
  /** The closest recorded interaction (0-based index) and what differs from it. */
  closest?: { index: number; differences: RequestDifference[] }
  /** For `exhausted`: how many times the request was recorded. */
  recordedCount?: number
}

const RERECORD_HINT =
  'If the change is intended, record again: RETRACE_MODE=record (or `vitest -u` / `jest -u` with the test plugins). Otherwise fix the agent so it sends what was recorded.'

/**
 * Replay could not answer a request from the cassette, and nothing was sent to the network.
 * The message names the request, the closest recorded one, and a diff of what changed.
 *
 * @example
 * const error = new CassetteMismatchError({ file: 'agent.cassette.json', reason: 'unmatched', method: 'POST', url: 'https://api.openai.com/v1/chat/completions', requestNumber: 2 })
 * error.code // → 'RETRACE_CASSETTE_MISMATCH'
 * error.message.split('\n')[0] // → 'Request #2, POST https://api.openai.com/v1/chat/completions, does not match any recorded request in agent.cassette.json.'
 * error.hint?.startsWith('If the change is intended, record again') // → true
 */
export class CassetteMismatchError extends RetraceError {
  readonly file: string
  readonly reason: MismatchReason
  readonly method: string
  readonly url: string
  readonly requestNumber: number
  readonly closest: MismatchDetails['closest']
  readonly recordedCount: number | undefined

  constructor(details: MismatchDetails) {
    const { message, hint } = describeMismatch(details)
    super(details.reason === 'egress-blocked' ? 'RETRACE_EGRESS_BLOCKED' : 'RETRACE_CASSETTE_MISMATCH', message, { hint })
    this.file = details.file
    this.reason = details.reason
    this.method = details.method
    this.url = details.url
    this.requestNumber = details.requestNumber
    this.closest = details.closest
    this.recordedCount = details.recordedCount
  }
}

/**
 * A request in replay went to a host the cassette never recorded and that is not in
 * `allowHosts`. Nothing was sent.
 *
 * @example
 * const error = new EgressBlockedError({ file: 'agent.cassette.json', reason: 'egress-blocked', method: 'GET', url: 'https://api.weather.example/today', requestNumber: 1 })
 * error instanceof CassetteMismatchError // → true
 * error.code // → 'RETRACE_EGRESS_BLOCKED'
 * error.hint?.includes('`allowHosts`') // → true
 */
export class EgressBlockedError extends CassetteMismatchError {}

// Connections Retrace cannot record or replay (raw sockets, HTTP/2, WebSocket, DNS): their
// refusal says so, since recording again would not help.
const RAW_TRANSPORTS = new Set(['TCP', 'TLS', 'DNS'])

function describeMismatch(details: MismatchDetails): { message: string; hint: string } {
  const what = `${details.method.toUpperCase()} ${details.url}`
  if (details.reason === 'egress-blocked' && RAW_TRANSPORTS.has(details.method.toUpperCase())) {
    const target = details.url.replace(/^[a-z]+:\/\//, '')
    const connection = details.method.toUpperCase() === 'DNS' ? `a DNS query for ${target}` : `a ${details.method.toUpperCase()} connection to ${target}`
    return details.file
      ? {
          message: `Replay blocked ${connection}: cassette ${details.file} answers HTTP requests only, and replay never goes to the network.`,
          hint: 'Name the host in the `allowHosts` option to let it through (loopback too: `localhost`), or fake that service in the test.',
        }
      : {
          message: `Retrace blocked ${connection}: it was made outside any cassette while egress is blocked (retrace ci replay).`,
          hint: 'Let the host through with --allow-host (loopback too: --allow-host localhost), or fake that service in the test.',
        }
  }
  if (details.reason === 'egress-blocked' && !details.file) {
    return {
      message: `Retrace blocked ${what}: it was made outside any cassette while egress is blocked (retrace ci replay).`,
      hint: 'Run it inside a cassette (toMatchCassette, withCassette), or let the host through with --allow-host.',
    }
  }
  if (details.reason === 'egress-blocked') {
    return {
      message: `Replay blocked request #${details.requestNumber}, ${what}: cassette ${details.file} has no interaction with that host, and replay never goes to the network.`,
      hint: 'Record the cassette again if the agent should now call this host, or allow it to pass through live with the `allowHosts` option.',
    }
  }
  if (details.reason === 'exhausted') {
    return {
      message: `Request #${details.requestNumber}, ${what}, was recorded ${details.recordedCount ?? 0} time(s) in ${details.file} and all of them were already replayed: the agent now makes this call more often than when it was recorded.`,
      hint: `${RERECORD_HINT} To serve the last recorded response again for repeats, set allowPlaybackRepeats: true.`,
    }
  }
  const closest = details.closest
  const body = closest
    ? `\nClosest recorded request: interaction #${closest.index + 1} (step ${closest.index + 1}). What changed (recorded → received):\n${formatRequestDifferences(closest.differences)}`
    : ''
  return {
    message: `Request #${details.requestNumber}, ${what}, does not match any recorded request in ${details.file}.${body}`,
    hint: RERECORD_HINT,
  }
}
