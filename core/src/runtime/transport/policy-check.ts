import type http from 'node:http'
import { POLICY_CHECK_PATH, PolicyVerdictSchema, type PolicyCheck, type PolicyVerdict } from '@retrace/protocol'
import { createAgent, postJson } from './http-client.ts'

/** Where to ask for a verdict. */
export interface PolicyCheckOptions {
  baseUrl: string
  apiKey: string
  /** Give up after this long and answer undefined (default 1,500 ms): local limits still apply. */
  timeoutMs?: number
  /** A keep-alive agent to reuse (the transport passes its own). */
  agent?: http.Agent
}

/** Agents for callers that pass none, one per base URL. */
const agents = new Map<string, http.Agent>()

/**
 * Asks the server for a policy verdict before an LLM call (`POST /v1/policy/check`). Never
 * rejects: resolves undefined when the server is unreachable, slow, refuses the request or
 * answers something that is not a verdict, so the caller falls back to its local limits.
 *
 * @example
 * import { createServer } from 'node:http'
 * import type { AddressInfo } from 'node:net'
 * // A stand-in for the server's POST /v1/policy/check.
 * const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"verdict":"block","reason":"daily budget spent"}'))
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const verdict = await checkPolicy(
 *   { traceId: 't1', name: 'support-agent', totals: { inputTokens: 1200, outputTokens: 300, usd: 0.02, durationMs: 4100, steps: 3 } },
 *   { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'rt_test' },
 * )
 * verdict // → { verdict: 'block', reason: 'daily budget spent' }
 * server.close()
 * await checkPolicy({ traceId: 't1', name: 'support-agent', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 0, steps: 0 } }, { baseUrl: 'http://127.0.0.1:9', apiKey: 'rt_test', timeoutMs: 200 }) // → undefined
 */
export function checkPolicy(request: PolicyCheck, options: PolicyCheckOptions): Promise<PolicyVerdict | undefined> {
  return new Promise((resolve) => {
    try {
      const body = Buffer.from(JSON.stringify(request))
      const baseUrl = options.baseUrl.replace(/\/+$/, '')
      const agent = options.agent ?? agents.get(baseUrl) ?? agents.set(baseUrl, createAgent(baseUrl)).get(baseUrl)!
      postJson({ baseUrl, apiKey: options.apiKey, agent }, POLICY_CHECK_PATH, body, options.timeoutMs ?? 1_500, (outcome) => {
        if (outcome.kind !== 'response' || outcome.status < 200 || outcome.status >= 300) return resolve(undefined)
        try {
          const parsed = PolicyVerdictSchema.safeParse(JSON.parse(outcome.body))
          resolve(parsed.success ? parsed.data : undefined)
        } catch {
          resolve(undefined)
        }
      })
    } catch {
      resolve(undefined)
    }
  })
}
