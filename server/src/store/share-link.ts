import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'

/** A public, read-only link to one trace, as the API lists it (never its token: only a hash is stored). */
export const ShareLinkSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  traceId: z.string(),
  /** The token's first characters, to tell links apart; never enough to open one. */
  tokenPrefix: z.string(),
  createdAt: z.string(),
  /** After this time the link answers 404; null: it never expires. */
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
})

export type ShareLink = z.infer<typeof ShareLinkSchema>

/** What the store keeps of a new link. */
export interface NewShareLink {
  id: string
  projectId: string
  traceId: string
  tokenHash: string
  tokenPrefix: string
  expiresMs: number | null
}

/** Share links in the store: created, listed, revoked, and found by the hash of a presented token. */
export interface ShareLinkStore {
  create(link: NewShareLink): Promise<ShareLink>
  list(projectId: string, options?: { traceId?: string | undefined }): Promise<ShareLink[]>
  /** Revokes a link of this project (idempotent); undefined when there is no such link in it. */
  revoke(projectId: string, id: string): Promise<ShareLink | undefined>
  findByTokenHash(tokenHash: string): Promise<ShareLink | undefined>
}

/** Share tokens carry this prefix, so one pasted somewhere is recognisable. */
export const SHARE_TOKEN_PREFIX = 'rts_'

/**
 * A new share token: 32 random bytes (256 bits, far beyond guessing), base64url, with its
 * SHA-256 (what is stored) and a display prefix.
 *
 * @example
 * const { token, hash, prefix } = generateShareToken()
 * hashShareToken(token) === hash // → true
 * token.startsWith(prefix) // → true
 */
export function generateShareToken(): { token: string; hash: string; prefix: string } {
  const token = `${SHARE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
  return { token, hash: hashShareToken(token), prefix: token.slice(0, 10) }
}

/**
 * The stored form of a share token. A fast hash is enough: the token is 256 random bits, so
 * a leaked table cannot be turned back into links.
 *
 * @example
 * hashShareToken('rts_example') === hashShareToken('rts_example') // → true
 */
export function hashShareToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * Whether a link opens now: not revoked and not expired.
 *
 * @example
 * const link = { id: 'sh_1', projectId: 'p1', traceId: 'tr_1', tokenPrefix: 'rts_ab', createdAt: '2026-03-01T10:00:00.000Z', expiresAt: '2026-03-08T10:00:00.000Z', revokedAt: null }
 * isShareLinkActive(link, Date.parse('2026-03-02T10:00:00.000Z')) // → true
 * isShareLinkActive(link, Date.parse('2026-03-09T10:00:00.000Z')) // → false
 * isShareLinkActive({ ...link, revokedAt: '2026-03-01T11:00:00.000Z' }, Date.parse('2026-03-02T10:00:00.000Z')) // → false
 */
export function isShareLinkActive(link: ShareLink, nowMs: number): boolean {
  return link.revokedAt === null && (link.expiresAt === null || Date.parse(link.expiresAt) > nowMs)
}
