import { isCI } from '@retrace/core/internal'
import { RetraceConfigError } from '@retrace/cassettes'

/**
 * How a matcher runs the agent:
 * - `record`: call live and write the golden cassette (missing cassette, `-u`, `RETRACE_UPDATE=1`
 *   or `RETRACE_MODE=record`);
 * - `replay`: serve every call from the cassette and compare the run with the golden one;
 * - `live`: call live (`RETRACE_MODE=passthrough`), compare with the golden, write nothing —
 *   how to check a model or prompt change against the golden run;
 * - `missing`: the cassette does not exist and recording is not allowed (CI, `RETRACE_MODE=replay`).
 */
export type MatcherMode = 'record' | 'replay' | 'live' | 'missing'

/**
 * Decides the mode from the cassette's existence, the runner's update flag and the
 * environment (`RETRACE_UPDATE`, `RETRACE_MODE`, `CI`).
 *
 * @example
 * matcherMode({ exists: false, update: false }) // 'record' locally, 'missing' under CI
 */
export function matcherMode(state: { exists: boolean; update: boolean }, env: NodeJS.ProcessEnv = process.env): MatcherMode {
  const mode = env.RETRACE_MODE?.trim().toLowerCase()
  if (mode && !['record', 'replay', 'auto', 'passthrough'].includes(mode)) {
    throw new RetraceConfigError('RETRACE_MODE', `"${env.RETRACE_MODE}" is not a mode.`, 'Use one of record, replay, auto, passthrough, or unset it.')
  }
  // CI never records, whatever was asked: a golden cassette comes from a developer's machine.
  const mayRecord = !isCI(env)
  const wantsUpdate = state.update || isTruthy(env.RETRACE_UPDATE) || mode === 'record'
  if (wantsUpdate && mayRecord) return 'record'
  if (mode === 'passthrough' && mayRecord) return 'live'
  if (state.exists) return 'replay'
  return mayRecord && mode !== 'replay' ? 'record' : 'missing'
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false', 'no'].includes(value.trim().toLowerCase())
}
