import { createHash, randomBytes } from 'node:crypto'
import { ApiError } from '../errors/server-errors.ts'
import { newId } from '../store/sql/sql-store.ts'
import type { KeyRecord, Scope, Store } from '../store/store.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A new key: the secret (shown once), what is stored (its SHA-256), and a display prefix. */
export interface NewKey {
  id: string
  secret: string
  hash: string
  prefix: string
}

/**
 * Makes an API key `rt_live_<32 base62 characters>` (190 bits; the shape the shared secret
 * rules recognise, so a key pasted into a cassette or a log is caught). Only its hash is stored.
 *
 * @example
 * const { secret, hash } = generateApiKey()
 * hashApiKey(secret) === hash // → true
 */
export function generateApiKey(): NewKey {
  const bytes = randomBytes(32)
  let body = ''
  for (const byte of bytes) body += ALPHABET[byte % 62]
  const secret = `rt_live_${body}`
  return { id: newId('key'), secret, hash: hashApiKey(secret), prefix: secret.slice(0, 12) }
}

/**
 * The stored form of a key. Keys are long random strings, so a fast hash is enough (no
 * password stretching needed) and lookups stay one indexed read.
 *
 * @example
 * hashApiKey('rt_live_example') === hashApiKey('rt_live_example') // → true
 * hashApiKey('rt_live_example').length // → 64
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/**
 * The key a request presents, checked against the store on every request (so a revoked key
 * is refused at once, on every server process). 401 for a missing, unknown or revoked key;
 * 403 for a key without the scope.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../store/open-store.ts'
 * import { generateApiKey } from '../auth/api-keys.ts'
 * import { ApiError } from '../errors/server-errors.ts'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * // In a route: const found = await authenticate(store, request.headers.get('x-retrace-key'), 'read')
 * const found = await authenticate(store, key.secret, 'read')
 * found.projectId === project.id // → true
 * await authenticate(store, 'rt_not_a_key', 'read').catch((error: ApiError) => error.status) // → 401
 * await store.close()
 */
export async function authenticate(store: Store, header: string | null | undefined, scope: Scope): Promise<KeyRecord> {
  const secret = header?.trim()
  if (!secret) throw new ApiError(401, 'unauthorized', 'Missing API key: send it in the x-retrace-key header.')
  if (secret.length > 256) throw new ApiError(401, 'unauthorized', 'Invalid API key.')
  const key = await store.findKeyByHash(hashApiKey(secret))
  if (!key || key.revokedAt !== null) throw new ApiError(401, 'unauthorized', key ? 'This API key was revoked.' : 'Invalid API key.')
  if (!key.scopes.includes(scope)) throw new ApiError(403, 'forbidden', `This API key lacks the "${scope}" scope (it has: ${key.scopes.join(', ') || 'none'}).`)
  return key
}

export type { Scope }
