import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'
import { isIP } from 'node:net'
import { isConnecting, rawConnectionRefusal } from './connection-policy.ts'

// Every query function of node:dns, on the module (callback and promise forms) and on its
// Resolver classes: the module-level ones are bound copies, so both are guarded.
const QUERIES = [
  'lookup',
  'lookupService',
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCaa',
  'resolveCname',
  'resolveMx',
  'resolveNaptr',
  'resolveNs',
  'resolvePtr',
  'resolveSoa',
  'resolveSrv',
  'resolveTlsa',
  'resolveTxt',
  'reverse',
] as const

type Query = (this: unknown, ...args: unknown[]) => unknown

/**
 * Guards DNS queries the way sockets are guarded: a refused name is never sent to a
 * resolver, and the caller gets `EgressBlockedError` (through its callback, or a rejected
 * promise). Returns the function that restores the originals.
 *
 * @example
 * import { promises as dns } from 'node:dns'
 * const unguard = guardDns()
 * process.env.RETRACE_BLOCK_EGRESS = '1'
 * const refused = await dns.lookup('api.example.com').catch((error: Error) => error)
 * refused.name // → 'EgressBlockedError'
 * delete process.env.RETRACE_BLOCK_EGRESS
 * unguard()
 */
export function guardDns(): () => void {
  const restores = [
    guardObject(dns as unknown as Record<string, unknown>, 'callback'),
    guardObject(dns.Resolver.prototype as unknown as Record<string, unknown>, 'callback'),
    guardObject(dns.promises as unknown as Record<string, unknown>, 'promise'),
    guardObject(dns.promises.Resolver.prototype as unknown as Record<string, unknown>, 'promise'),
  ]
  // Keep `import { lookup } from 'node:dns'` in step with the patched module object.
  syncBuiltinESMExports()
  return () => {
    for (const restore of restores) restore()
    syncBuiltinESMExports()
  }
}

/**
 * `lookup` of an address or of localhost never leaves the machine (`server.listen('127.0.0.1')`
 * looks its host up too): the connection that may follow is judged on its own.
 */
function isLocalName(host: string): boolean {
  const name = host.toLowerCase()
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')
}

function guardObject(target: Record<string, unknown>, style: 'callback' | 'promise'): () => void {
  const patched: Array<{ name: string; original: Query; guarded: Query }> = []
  for (const name of QUERIES) {
    const original = target[name]
    if (typeof original !== 'function') continue
    const local = name === 'lookup' ? isLocalName : () => false
    const guarded = function (this: unknown, ...args: unknown[]): unknown {
      const host = typeof args[0] === 'string' ? args[0] : undefined
      // A lookup made by a connection already let through is part of it.
      const refusal = host === undefined || local(host) || isConnecting() ? undefined : rawConnectionRefusal({ transport: 'DNS', host })
      if (!refusal) return (original as Query).apply(this, args)
      if (style === 'promise') return Promise.reject(refusal)
      const callback = args.findLast((arg) => typeof arg === 'function') as ((error: Error) => void) | undefined
      if (!callback) throw refusal
      process.nextTick(callback, refusal)
      return undefined
    }
    patched.push({ name, original: original as Query, guarded })
    target[name] = guarded
  }
  return () => {
    // Whatever wrapped ours since keeps its place (ours then passes everything through).
    for (const { name, original, guarded } of patched) if (target[name] === guarded) target[name] = original
  }
}
