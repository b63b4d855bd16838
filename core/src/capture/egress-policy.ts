import { EgressBlockedError } from '@retrace/cassettes'
import { recordLedgerEntry } from '../run-ledger/run-ledger.ts'
import { hostMatcher } from './host-patterns.ts'

/** Set by `retrace ci replay`: requests made outside any cassette are refused. */
export const BLOCK_EGRESS_VARIABLE = 'RETRACE_BLOCK_EGRESS'
/**
 * Comma-separated hosts still allowed while egress is blocked, and that raw connections may
 * reach inside a replay cassette. Loopback only when named (`localhost` covers 127.0.0.1 and ::1).
 */
export const ALLOW_HOSTS_VARIABLE = 'RETRACE_ALLOW_HOSTS'

/**
 * The refusal for a request or connection made outside any cassette while egress is blocked,
 * or `undefined` when it may go. Only hosts in `RETRACE_ALLOW_HOSTS` pass, loopback included
 * (a test's own local server is reached only when named). A refusal is also written to the
 * run ledger, so the CI gate exits with "unmatched egress" even when the caller caught it.
 *
 * @example
 * const refusal = egressRefusal('POST', 'https://api.openai.com/v1/chat/completions')
 * if (refusal) throw refusal
 */
export function egressRefusal(method: string, url: string, env: NodeJS.ProcessEnv = process.env): EgressBlockedError | undefined {
  const flag = env[BLOCK_EGRESS_VARIABLE]?.trim().toLowerCase()
  if (!flag || flag === '0' || flag === 'false') return undefined
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (allowedHostsFromEnvironment(env)(parsed)) return undefined
  const error = new EgressBlockedError({ file: '', reason: 'egress-blocked', method, url, requestNumber: 0 })
  recordLedgerEntry({ testPath: '', testName: '', cassette: '', outcome: 'egress', message: `${method.toUpperCase()} ${url}` })
  return error
}

/**
 * The hosts named in `RETRACE_ALLOW_HOSTS` (`--allow-host` of `retrace ci replay`), as a test.
 *
 * @example
 * allowedHostsFromEnvironment({ RETRACE_ALLOW_HOSTS: 'localhost' })(new URL('tcp://127.0.0.1:5432')) // true
 */
export function allowedHostsFromEnvironment(env: NodeJS.ProcessEnv = process.env): (url: URL) => boolean {
  return hostMatcher((env[ALLOW_HOSTS_VARIABLE] ?? '').split(',').map((host) => host.trim()).filter(Boolean))
}
