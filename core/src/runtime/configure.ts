import type { RuntimeConfig, RuntimeConfigInput } from './config/runtime-config.ts'
import { runtime } from './runtime.ts'

/**
 * Configures the runtime SDK. Each option also comes from the environment (`RETRACE_API_KEY`,
 * `RETRACE_BASE_URL`, `RETRACE_PROJECT_ID`, `RETRACE_ENABLED=false`, `RETRACE_SAMPLE_RATE`,
 * `RETRACE_MAX_STEPS_PER_RUN`, `RETRACE_MAX_TOKENS_PER_RUN`, `RETRACE_MAX_USD_PER_RUN`,
 * `RETRACE_SERVER_ENFORCEMENT`, …); an explicit option wins over the environment, which wins
 * over the default. A bad value throws `RetraceConfigError` here, never later inside an agent.
 * Without an API key nothing is sent, and nothing fails.
 *
 * @example
 * configure({ apiKey: process.env.RETRACE_API_KEY, maxUsdPerRun: 2, loopLimit: 3 })
 */
export function configure(options: RuntimeConfigInput = {}): RuntimeConfig {
  return runtime().configure(options)
}
