import type { EgressBlockedError } from '@retrace/cassettes'
import { egressRefusal } from '../egress-policy.ts'
import { currentSession, isBypassed } from '../session-routing.ts'

/** A connection Retrace cannot answer from a cassette: a socket, or a DNS query. */
export interface RawConnection {
  /** `TCP`, `TLS` or `DNS`: the method named in the refusal. */
  transport: 'TCP' | 'TLS' | 'DNS'
  /** The host name or address asked for. */
  host: string
  port?: number | undefined
}

/**
 * The refusal for a raw connection made now, or `undefined` when it may go. Retrace's own
 * connections (inside `withoutInterception`) always go. Inside a replay cassette, only hosts
 * named in `allowHosts`, `ignoreHosts` or `RETRACE_ALLOW_HOSTS` are reachable, loopback
 * included; the refusal counts as one of the cassette's mismatches. Outside any cassette the
 * egress policy of `retrace ci replay` applies. Record and passthrough cassettes go live.
 *
 * @example
 * // Outside any cassette, only `retrace ci replay` (RETRACE_BLOCK_EGRESS) refuses connections.
 * rawConnectionRefusal({ transport: 'TLS', host: 'api.example.com', port: 443 }) // → undefined
 * process.env.RETRACE_BLOCK_EGRESS = '1'
 * rawConnectionRefusal({ transport: 'TLS', host: 'api.example.com', port: 443 })?.url // → 'tls://api.example.com:443'
 * delete process.env.RETRACE_BLOCK_EGRESS
 */
export function rawConnectionRefusal(connection: RawConnection): EgressBlockedError | undefined {
  if (isBypassed()) return undefined
  const url = connectionUrl(connection)
  const session = currentSession()
  if (session) return session.connectionRefusal(connection.transport, url)
  return egressRefusal(connection.transport, url)
}

function connectionUrl({ transport, host, port }: RawConnection): string {
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return `${transport.toLowerCase()}://${name}${port === undefined ? '' : `:${port}`}`
}

let connecting = 0

/**
 * Runs a connect already judged allowed. Node looks its host name up synchronously inside
 * it, and that lookup belongs to the connection: it is not judged again (a `host:port` in
 * `allowHosts` names no port for DNS).
 *
 * @example
 * isConnecting() // → false
 * whileConnecting(() => isConnecting()) // → true
 */
export function whileConnecting<T>(connect: () => T): T {
  connecting++
  try {
    return connect()
  } finally {
    connecting--
  }
}

/**
 * True inside {@link whileConnecting}.
 *
 * @example
 * whileConnecting(isConnecting) // → true
 */
export function isConnecting(): boolean {
  return connecting > 0
}
