import type { SqlClient } from './sql-client.ts'
import type { NewShareLink, ShareLink, ShareLinkStore } from '../share-link.ts'

type Row = Record<string, unknown>

const iso = (ms: unknown): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString())

function toShareLink(row: Row): ShareLink {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    traceId: String(row.trace_id),
    tokenPrefix: String(row.token_prefix),
    createdAt: iso(row.created_ms)!,
    expiresAt: iso(row.expires_ms),
    revokedAt: iso(row.revoked_ms),
  }
}

/**
 * Share links on either engine (the `share_links` table of migration 3), the same SQL on
 * SQLite and PostgreSQL.
 *
 * @example
 * const shares = createSqlShareLinkStore(client)
 * await shares.create({ id, projectId, traceId, tokenHash, tokenPrefix, expiresMs: null })
 */
export function createSqlShareLinkStore(sql: SqlClient): ShareLinkStore {
  const byId = async (projectId: string, id: string) => {
    const [row] = await sql.all('SELECT * FROM share_links WHERE project_id = ? AND id = ?', [projectId, id])
    return row ? toShareLink(row) : undefined
  }
  return {
    async create(link: NewShareLink) {
      await sql.transaction((tx) =>
        tx.run('INSERT INTO share_links (id, project_id, trace_id, token_hash, token_prefix, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          link.id, link.projectId, link.traceId, link.tokenHash, link.tokenPrefix, Date.now(), link.expiresMs,
        ]),
      )
      return (await byId(link.projectId, link.id))!
    },
    async list(projectId, options = {}) {
      const rows = options.traceId === undefined
        ? await sql.all('SELECT * FROM share_links WHERE project_id = ? ORDER BY created_ms DESC, id DESC LIMIT 1000', [projectId])
        : await sql.all('SELECT * FROM share_links WHERE project_id = ? AND trace_id = ? ORDER BY created_ms DESC, id DESC LIMIT 1000', [projectId, options.traceId])
      return rows.map(toShareLink)
    },
    async revoke(projectId, id) {
      await sql.transaction((tx) => tx.run('UPDATE share_links SET revoked_ms = ? WHERE project_id = ? AND id = ? AND revoked_ms IS NULL', [Date.now(), projectId, id]))
      return byId(projectId, id)
    },
    async findByTokenHash(tokenHash) {
      const [row] = await sql.all('SELECT * FROM share_links WHERE token_hash = ?', [tokenHash])
      return row ? toShareLink(row) : undefined
    },
  }
}
