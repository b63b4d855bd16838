import { EgressBlockedError } from '@retrace/cassettes'
import { recordLedgerEntry } from '../run-ledger/run-ledger.ts'
import { hostMatcher } from '../session/host-patterns.ts'

/** Set by `retrace ci replay`: requests made outside any cassette are refused. */
export const BLOCK_EGRESS_VARIABLE = 'RETRACE_BLOCK_EGRESS'
/** Comma-separated hosts still allowed while egress is blocked (loopback always is). */
export const ALLOW_HOSTS_VARIABLE = 'RETRACE_ALLOW_HOSTS'

/**
 * The refusal for a request made outside any cassette while egress is blocked, or
 * `undefined` when it may go. Loopback is never egress (a test's own local server), and hosts
 * in `RETRACE_ALLOW_HOSTS` pass. A refusal is also written to the run ledger, so the CI gate
 * can exit with "unmatched egress".
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
  const allowed = hostMatcher(['localhost', ...(env[ALLOW_HOSTS_VARIABLE] ?? '').split(',').map((host) => host.trim()).filter(Boolean)])
  if (allowed(parsed)) return undefined
  const error = new EgressBlockedError({ file: '', reason: 'egress-blocked', method, url, requestNumber: 0 })
  recordLedgerEntry({ testPath: '', testName: '', cassette: '', outcome: 'egress', message: `${method.toUpperCase()} ${url}` })
  return error
}
