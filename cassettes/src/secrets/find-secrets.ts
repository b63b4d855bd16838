import type { SecretFinding } from '../errors/cassette-secret-error.ts'
import { scanForSecrets } from './mask-secrets.ts'

/**
 * Walks any JSON-like value and lists the JSON path of every string (or object key) that
 * holds a credential: the last gate before a cassette is written, and what
 * `retrace cassette lint` and `retrace ci replay` check. Same rules as `scanForSecrets`.
 *
 * @example
 * findSecrets({ headers: { authorization: 'Bearer abcdefgh12345' } })
 * // → [{ path: '$.headers.authorization', kind: 'bearer-token' }]
 */
export function findSecrets(value: unknown): SecretFinding[] {
  return scanForSecrets(value)
}
