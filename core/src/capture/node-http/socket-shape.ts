import type { Duplex } from 'node:stream'

/**
 * Gives the client end of an in-memory socket pair the parts of `net.Socket` (and
 * `tls.TLSSocket` for https) that HTTP clients call: axios sets timeouts, got reads
 * `encrypted`/`authorized`, Node's ClientRequest sets no-delay and keep-alive. The socket
 * never idles out: replay answers at once or at the recorded pace.
 *
 * @example
 * import { duplexPair } from 'node:stream'
 * const [client] = duplexPair()
 * const socket = shapeAsSocket(client, true) as typeof client & { encrypted?: boolean; remotePort?: number; setNoDelay(): unknown }
 * socket.encrypted // → true
 * socket.remotePort // → 443
 * socket.setNoDelay() === socket // → true
 */
export function shapeAsSocket(duplex: Duplex, secure: boolean): Duplex {
  const socket = duplex as Duplex & Record<string, unknown>
  const chain = () => socket
  Object.assign(socket, {
    setTimeout: (_ms: number, onTimeout?: () => void) => {
      // Registered like net.Socket does, but the in-memory socket never times out.
      if (onTimeout) socket.once('timeout', onTimeout)
      return socket
    },
    setNoDelay: chain,
    setKeepAlive: chain,
    ref: chain,
    unref: chain,
    address: () => ({ address: '127.0.0.1', family: 'IPv4', port: 0 }),
    remoteAddress: '127.0.0.1',
    remoteFamily: 'IPv4',
    remotePort: secure ? 443 : 80,
    localAddress: '127.0.0.1',
    localPort: 0,
    connecting: false,
    ...(secure ? { encrypted: true, authorized: true, alpnProtocol: 'http/1.1', getPeerCertificate: () => ({}), getProtocol: () => 'TLSv1.3' } : {}),
  })
  return socket
}
