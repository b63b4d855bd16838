import { runtime } from './runtime.ts'

/** What a flush achieved; `complete` is false when the timeout passed first (the rest stays queued or journaled). */
export interface FlushOutcome {
  complete: boolean
}

/**
 * Waits until every event recorded so far is acknowledged by the server, or `timeoutMs`
 * passes. Never rejects. Call it before a short-lived process (a serverless handler, a
 * script) returns; long-lived processes need not: events stream on their own, and the SDK
 * flushes on exit.
 *
 * @example
 * import { record } from '@retrace/core'
 * const runAgent = record({ name: 'greet' }, (name: string) => `Hello, ${name}`)
 * runAgent('Ada')
 * await flush() // → { complete: true }
 */
export async function flush(timeoutMs = 5_000): Promise<FlushOutcome> {
  const transport = runtime().currentTransport()
  if (!transport) return { complete: true }
  const result = (await transport.flush(timeoutMs).catch(() => undefined)) as { complete?: boolean } | undefined
  return { complete: result?.complete ?? false }
}

/**
 * Flushes (up to `timeoutMs`) and closes the connection to the Retrace server; what is not
 * delivered by then stays in the on-disk journal for the next start. A later `record()` call
 * opens a new connection.
 *
 * @example
 * // e.g. process.on('SIGTERM', async () => { await shutdown(); process.exit(0) })
 * await shutdown(500) // nothing configured: returns at once
 */
export async function shutdown(timeoutMs = 2_000): Promise<void> {
  await runtime().closeTransport(timeoutMs)
}
