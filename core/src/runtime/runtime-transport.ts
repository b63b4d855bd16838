import type { PolicyCheck, PolicyVerdict, ServerMessage, WireEvent } from '@retrace/protocol'
import type { RuntimeConfig } from './config/runtime-config.ts'

/** What the runtime needs from a transport (the WebSocket/HTTP/journal one, or a test double). */
export interface RuntimeTransport {
  /** Queues an event; never blocks, never throws. */
  send(event: WireEvent): void
  /** Waits until what was sent is delivered, or the timeout passes (or, with `untilUnreachable`, the server is found down). */
  flush(timeoutMs?: number, options?: { untilUnreachable?: boolean }): Promise<unknown>
  /** Flushes (up to `timeoutMs`), then closes. */
  close(timeoutMs?: number): Promise<void>
  /** Server messages (resume commands). Returns a function that stops listening. */
  onMessage(listener: (message: ServerMessage) => void): () => void
  /** The server's policy verdict for an LLM call, or undefined when it cannot be asked. */
  checkPolicy(check: PolicyCheck): Promise<PolicyVerdict | undefined>
  /** True when events of this trace were dropped. */
  isLossy?(traceId: string): boolean
  /** Resends the list of resumable functions (one was registered after the connection opened). */
  updateRegistration?(): void
  /**
   * Writes queued events to the on-disk journal synchronously (the process is exiting). A
   * transport with `persist` and `stats` gets the runtime's exit handling.
   */
  persist?(): void
  readonly stats?: { readonly sent: number; readonly pending: number }
}

/** Builds a transport for a configuration (only called with an API key, when enabled). */
export type TransportFactory = (config: RuntimeConfig, resumableNames: () => string[]) => RuntimeTransport
