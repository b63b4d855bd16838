// Where the examples' agents send their model calls. A recording run (`-u`, RETRACE_UPDATE=1,
// RETRACE_MODE=record or passthrough) talks to the bundled fake provider; every other run
// replays the committed cassettes with the SDKs pointed at a port where nothing listens, so
// a call the cassette cannot answer fails loudly instead of reaching a network.
import { startFakeProvider } from '@retrace/fake-provider'
import type { TestProject } from 'vitest/node'

/**
 * Loopback port 9 (discard): nothing listens there. Cassettes match loopback URLs whatever
 * the port, so recordings made against the fake provider replay against this address.
 */
export const OFFLINE_URL = 'http://127.0.0.1:9'

/**
 * Whether this run should call a model: the runner's update flag (`-u`), `RETRACE_UPDATE=1`,
 * or `RETRACE_MODE=record|passthrough`.
 *
 * @example
 * isRecording(globalConfig.updateSnapshot === 'all') // Jest
 */
export function isRecording(update: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return update || env.RETRACE_UPDATE === '1' || env.RETRACE_MODE === 'record' || env.RETRACE_MODE === 'passthrough'
}

/**
 * Points the OpenAI, Anthropic and Gemini SDKs (through their environment variables) at the
 * fake provider when recording, at {@link OFFLINE_URL} otherwise, and sets fake API keys
 * where none are set (the SDKs refuse to start without one; cassettes never keep keys).
 * Call it before the test workers start: they inherit the environment. Resolves to a
 * function that stops the provider.
 *
 * @example
 * const stop = await useProviders({ record: true })
 * // … run the agents: they reach the fake provider …
 * await stop()
 */
export async function useProviders({ record }: { record: boolean }): Promise<() => Promise<void>> {
  const provider = record ? await startFakeProvider() : undefined
  const url = provider?.url ?? OFFLINE_URL
  Object.assign(process.env, {
    OPENAI_BASE_URL: `${url}/v1`,
    ANTHROPIC_BASE_URL: url,
    // @google/genai has no documented base-URL variable: gemini-agent passes this one itself.
    GEMINI_BASE_URL: url,
  })
  process.env.OPENAI_API_KEY ??= 'fake-openai-key'
  process.env.ANTHROPIC_API_KEY ??= 'fake-anthropic-key'
  if (!process.env.GOOGLE_API_KEY) process.env.GEMINI_API_KEY ??= 'fake-gemini-key'
  return async () => {
    await provider?.stop()
  }
}

/**
 * The Vitest `globalSetup` of every example (`test.globalSetup` in its vitest.config.ts).
 *
 * @example
 * export default defineConfig({ plugins: [retrace()], test: { globalSetup: ['../fake-provider-setup.ts'] } })
 */
export default function setup(project: TestProject): Promise<() => Promise<void>> {
  const { update } = project.vitest.config
  return useProviders({ record: isRecording(update === true || update === 'all') })
}
