import net from 'node:net'
import tls from 'node:tls'
import { rawConnectionRefusal, whileConnecting } from './connection-policy.ts'

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket

const GUARD = Symbol.for('retrace.rawSocketGuard')
// Sockets being connected through a guard right now: when another layer (msw, nock, a second
// copy of Retrace) wraps ours or is wrapped by it, the connection is judged once.
const judging = new WeakSet<net.Socket>()

/**
 * Guards `net.Socket.prototype.connect`, the one call every client connection goes through:
 * `net.connect`, `tls.connect`, `http2.connect`, the global `WebSocket` and undici's and
 * node:http's own sockets. A refused connection never dials: the socket fails on the next
 * tick with `EgressBlockedError`, as a refused connection would. Local sockets (a `path`, an
 * `fd`) are never network egress and always go. Returns the function that removes the guard
 * (when nothing has wrapped it since), or `undefined` when the guard is already in place.
 *
 * @example
 * import { connect } from 'node:net'
 * const unguard = guardSockets()
 * process.env.RETRACE_BLOCK_EGRESS = '1'
 * const socket = connect(443, '203.0.113.7') // never dials: refused before the connection
 * const error = await new Promise<Error>((resolve) => socket.once('error', resolve))
 * error.message.startsWith('Retrace blocked a TCP connection to 203.0.113.7:443') // → true
 * delete process.env.RETRACE_BLOCK_EGRESS
 * unguard?.()
 */
export function guardSockets(): (() => void) | undefined {
  const prototype = net.Socket.prototype as unknown as Record<PropertyKey, unknown>
  const current = prototype.connect as Connect & { [GUARD]?: true }
  if (current[GUARD]) return undefined
  const original = current
  const guarded = function connect(this: net.Socket, ...args: unknown[]): net.Socket {
    if (judging.has(this)) return original.apply(this, args)
    const target = connectTarget(args)
    const refusal = target && rawConnectionRefusal({ transport: this instanceof tls.TLSSocket ? 'TLS' : 'TCP', ...target })
    if (refusal) {
      process.nextTick(() => this.destroy(refusal))
      return this
    }
    judging.add(this)
    try {
      return whileConnecting(() => original.apply(this, args))
    } finally {
      judging.delete(this)
    }
  } as Connect & { [GUARD]?: true }
  guarded[GUARD] = true
  prototype.connect = guarded
  return () => {
    if (prototype.connect === guarded) prototype.connect = original
  }
}

/** The host and port a `connect(…)` call dials, or `undefined` for a local socket. */
function connectTarget(args: unknown[]): { host: string; port: number | undefined } | undefined {
  // net.connect() and tls.connect() pass their normalised arguments as one array.
  const list = Array.isArray(args[0]) ? (args[0] as unknown[]) : args
  const [first, second] = list
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; port?: unknown; path?: unknown; fd?: unknown }
    if (options.path !== undefined || options.fd !== undefined) return undefined
    return { host: typeof options.host === 'string' && options.host ? options.host : 'localhost', port: toPort(options.port) }
  }
  const port = toPort(first)
  // `connect(path)` opens a local (IPC) socket.
  if (port === undefined) return undefined
  return { host: typeof second === 'string' && second ? second : 'localhost', port }
}

function toPort(value: unknown): number | undefined {
  const port = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined
  return port !== undefined && Number.isInteger(port) ? port : undefined
}
