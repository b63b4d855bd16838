import type { SecretFinding } from '../errors/cassette-secret-error.ts'
import { formatJsonPath } from '../json/json-path.ts'
import { detectSecret, redactionMarker, SECRET_PATTERNS, type SecretPattern } from './secret-patterns.ts'

/**
 * Walks any JSON-like value and lists the JSON path of every string (or object key) that
 * looks like a credential. Used as the last gate before a cassette is written, and by
 * `retrace cassette lint`.
 *
 * @example
 * findSecrets({ headers: { authorization: 'Bearer abcdefgh12345' } })
 * // [{ path: '$.headers.authorization', kind: 'bearer-token' }]
 */
export function findSecrets(value: unknown, patterns: readonly SecretPattern[] = SECRET_PATTERNS): SecretFinding[] {
  const findings: SecretFinding[] = []
  const path: Array<string | number> = []
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      const kind = detectSecret(node, patterns)
      if (kind) findings.push({ path: formatJsonPath(path), kind })
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => {
        path.push(index)
        walk(item)
        path.pop()
      })
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        const kind = detectSecret(key, patterns)
        // A secret used as a key must not reappear in the path that reports it.
        path.push(kind ? redactionMarker(kind) : key)
        if (kind) findings.push({ path: formatJsonPath(path), kind })
        walk(item)
        path.pop()
      }
    }
  }
  walk(value)
  return findings
}
