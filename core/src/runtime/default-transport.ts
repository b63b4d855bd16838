import type { RuntimeConfig } from './config/runtime-config.ts'
import type { TransportFactory } from './runtime-transport.ts'
import { createTransport } from './transport/transport.ts'
import { resolveTransportOptions } from './transport/transport-options.ts'

/**
 * The transport the runtime uses unless a test swaps it: WebSocket batches, HTTP while the
 * socket is down, and the on-disk journal (see PROTOCOL.md).
 *
 * @example
 * import { resolveRuntimeConfig } from './config/runtime-config.ts'
 * const transport = createRuntimeTransport(resolveRuntimeConfig({ apiKey: 'rt_test', baseUrl: 'http://127.0.0.1:9' }, { RETRACE_JOURNAL_DIR: '/tmp/unused' }), () => [])
 * typeof transport.send // → 'function'
 * await transport.close(100)
 */
export const createRuntimeTransport: TransportFactory = (config, resumableNames) =>
  createTransport({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey ?? '',
    projectId: config.projectId,
    channels: config.transport,
    allowInsecureHttp: config.allowInsecureHttp,
    resumable: resumableNames,
    ...(config.onError ? { onError: config.onError } : {}),
  })

/**
 * Checks, at `configure()`, what the transport would refuse later (a base URL that is not
 * http(s), plain http to a remote host): a `RetraceConfigError` now, not a silent nothing-sent.
 *
 * @example
 * import assert from 'node:assert/strict'
 * import { resolveRuntimeConfig } from './config/runtime-config.ts'
 * checkTransportConfig(resolveRuntimeConfig({ apiKey: 'rt_test', baseUrl: 'https://api.retrace.dev' }, {})) // fine
 * assert.throws(() => checkTransportConfig(resolveRuntimeConfig({ apiKey: 'rt_test', baseUrl: 'ftp://x' }, {})), { name: 'RetraceConfigError' })
 */
export function checkTransportConfig(config: RuntimeConfig): void {
  if (!config.enabled || !config.apiKey) return
  resolveTransportOptions({ baseUrl: config.baseUrl, apiKey: config.apiKey, allowInsecureHttp: config.allowInsecureHttp, journalDir: false })
}
