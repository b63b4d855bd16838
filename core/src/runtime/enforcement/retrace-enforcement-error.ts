import { RetraceError } from '@retrace/cassettes'

/** Which ceiling stopped the run. */
export type EnforcementCeiling = 'steps' | 'tokens' | 'usd' | 'loop' | 'server-policy'

/**
 * An LLM call refused before it was sent: a run ceiling was reached (steps, tokens, USD, a
 * loop), or the server's policy said `block`. `reason` says which ceiling and by how much.
 * Thrown to the agent's own code — through the provider SDKs too, unwrapped.
 *
 * @example
 * import OpenAI from 'openai'
 * import { startFakeProvider } from '@retrace/fake-provider'
 * import { configure, record } from '@retrace/core'
 * const provider = await startFakeProvider()
 * configure({ maxStepsPerRun: 1 })
 * const runAgent = record({ name: 'chatty' }, async () => {
 *   const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
 *   for (let call = 0; call < 3; call++) await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Again?' }] })
 * })
 * try {
 *   await runAgent()
 * } catch (error) {
 *   if (!(error instanceof RetraceEnforcementError)) throw error
 *   error.verdict // → 'block'
 *   error.ceiling // → 'steps'
 * }
 * configure({})
 * await provider.stop()
 */
export class RetraceEnforcementError extends RetraceError {
  readonly verdict: 'block'
  readonly reason: string
  readonly ceiling: EnforcementCeiling
  /** The configured limit (undefined for a server policy). */
  readonly limit: number | undefined
  /** Where the run stood when the call was refused. */
  readonly actual: number | undefined

  constructor(details: { reason: string; ceiling: EnforcementCeiling; limit?: number; actual?: number }) {
    super('RETRACE_ENFORCEMENT', `Retrace blocked an LLM call: ${details.reason}`, {
      hint: details.ceiling === 'server-policy' ? 'A server-side policy refused the call: see the policy in the Retrace dashboard.' : 'Raise the ceiling in configure() (or its RETRACE_MAX_* variable) if this run legitimately needs more, or fix the agent so it stops sooner.',
    })
    this.verdict = 'block'
    this.reason = details.reason
    this.ceiling = details.ceiling
    this.limit = details.limit
    this.actual = details.actual
  }
}
