import type { RuntimeConfig, RuntimeConfigInput } from './config/runtime-config.ts'
import { runtime } from './runtime.ts'

/**
 * Configures the runtime SDK. Each option also comes from the environment (`RETRACE_API_KEY`,
 * `RETRACE_BASE_URL`, `RETRACE_PROJECT_ID`, `RETRACE_ENABLED=false`, `RETRACE_SAMPLE_RATE`,
 * `RETRACE_MAX_STEPS_PER_RUN`, `RETRACE_MAX_TOKENS_PER_RUN`, `RETRACE_MAX_USD_PER_RUN`,
 * `RETRACE_SERVER_ENFORCEMENT`, `RETRACE_CAPTURE_CONTENT`, …); an explicit option wins over the
 * environment, which wins over the default. A bad value throws `RetraceConfigError` here, never
 * later inside an agent. Without an API key nothing is sent, and nothing fails. Every event is
 * masked (secrets always; `mask` first, yours) before it is journaled or sent.
 *
 * @example
 * const config = configure({ maxUsdPerRun: 2, loopLimit: 3, captureContent: false, onError: console.warn })
 * config.maxUsdPerRun // → 2
 * // No API key: nothing is sent, and nothing fails.
 * config.apiKey // → undefined
 * configure({}) // back to the environment's settings and the defaults
 */
export function configure(options: RuntimeConfigInput = {}): RuntimeConfig {
  return runtime().configure(options)
}
