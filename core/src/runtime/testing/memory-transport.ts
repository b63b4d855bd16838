import type { PolicyCheck, PolicyVerdict, ServerMessage, WireEvent } from '@retrace/protocol'
import type { RuntimeTransport } from '../runtime-transport.ts'

/** A transport that keeps what it is sent, for tests of the runtime (not exported from the package). */
export interface MemoryTransport extends RuntimeTransport {
  events: WireEvent[]
  policyChecks: PolicyCheck[]
  /** Delivers a server message (a resume command) as the real transport would. */
  deliver(message: ServerMessage): void
  policy: PolicyVerdict | undefined
}

/**
 * Builds a {@link MemoryTransport}.
 *
 * @example
 * import { runtime } from '../runtime.ts'
 * import { configure, record } from '@retrace/core'
 * const transport = memoryTransport()
 * runtime().setTransportFactory(() => transport)
 * configure({ apiKey: 'rt_test' })
 * await record({ name: 'greet' }, async () => 'hi')()
 * transport.events.map((event) => event.type) // → ['trace.start', 'trace.end']
 * runtime().setTransportFactory(undefined)
 * configure({})
 */
export function memoryTransport(): MemoryTransport {
  const listeners = new Set<(message: ServerMessage) => void>()
  const transport: MemoryTransport = {
    events: [],
    policyChecks: [],
    policy: undefined,
    send: (event) => void transport.events.push(event),
    flush: async () => ({ delivered: transport.events.length }),
    close: async () => {},
    onMessage: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    checkPolicy: async (check) => {
      transport.policyChecks.push(check)
      return transport.policy
    },
    deliver: (message) => {
      for (const listener of listeners) listener(message)
    },
  }
  return transport
}
