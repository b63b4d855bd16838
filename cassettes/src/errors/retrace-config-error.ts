import { RetraceError } from './retrace-error.ts'

/**
 * An option or environment variable has a value Retrace cannot use. Thrown where the value
 * is given (`startCassette`, `configure`, a plugin's options), never later mid-run.
 *
 * @example
 * import { startCassette } from '@retrace/core'
 * try {
 *   startCassette('agent.cassette.json', { mode: 'replya' as 'replay' })
 * } catch (error) {
 *   if (!(error instanceof RetraceConfigError)) throw error
 *   error.field // → 'mode'
 * }
 */
export class RetraceConfigError extends RetraceError {
  /** The option (`mode`, `redact[0].path`) or environment variable (`RETRACE_MODE`) at fault. */
  readonly field: string

  constructor(field: string, problem: string, hint?: string) {
    super('RETRACE_CONFIG', `Invalid ${field}: ${problem}`, hint ? { hint } : {})
    this.field = field
  }
}
