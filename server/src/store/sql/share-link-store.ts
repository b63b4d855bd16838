import type { SqlClient } from './sql-client.ts'
import type { NewShareLink, ShareLink, ShareLinkStore } from '../share-link.ts'
import { isoOrNull } from './row-mapping.ts'

type Row = Record<string, unknown>

function toShareLink(row: Row): ShareLink {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    traceId: String(row.trace_id),
    tokenPrefix: String(row.token_prefix),
    createdAt: isoOrNull(row.created_ms)!,
    expiresAt: isoOrNull(row.expires_ms),
    revokedAt: isoOrNull(row.revoked_ms),
  }
}

/**
 * Share links on either engine (the `share_links` table of migration 3), the same SQL on
 * SQLite and PostgreSQL.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../../auth/api-keys.ts'
 * import { createLocalFeed } from '../change-feed.ts'
 * import { openSqlite } from '../sqlite/sqlite-client.ts'
 * import { migrate } from './migrations.ts'
 * import { SqlStore } from './sql-store.ts'
 * import { generateShareToken } from '../share-link.ts'
 * const client = openSqlite(join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db'))
 * await migrate(client)
 * const store = new SqlStore(client, createLocalFeed())
 * const { project } = (await store.bootstrap(generateApiKey()))!
 * const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString()
 * const exchange = (text: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } } },
 * })
 * const llm = (traceId: string, n: number, text: string) => ({
 *   id: `${traceId}.${n}`, traceId, kind: 'llm' as const, name: 'chat', startedAt: at(2 * n), endedAt: at(2 * n + 1), durationMs: 1000, status: 'ok' as const,
 *   step: { provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input: [{ role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }], tools: [], output: [{ type: 'text' as const, content: text }], finishReason: 'stop', usage: { inputTokens: 900, outputTokens: 100 } },
 *   interaction: exchange(text),
 * })
 * // One run as the SDK streams it: its start, its LLM spans, its end.
 * const run = (traceId: string, answers: string[]) => [
 *   { type: 'trace.start' as const, id: `${traceId}:start`, trace: { id: traceId, name: 'weather', startedAt: at(0), input: 'Weather in Paris?' } },
 *   ...answers.map((text, index) => ({ type: 'span' as const, id: `${traceId}.${index + 1}`, span: llm(traceId, index + 1, text) })),
 *   { type: 'trace.end' as const, id: `${traceId}:end`, trace: { id: traceId, endedAt: at(59), status: 'completed' as const, output: answers.at(-1), totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 59_000 } } },
 * ]
 * await store.ingest([{ accountId: project.accountId, projectId: project.id, events: run('tr_1', ['Let me check.', 'Sunny, 18 °C.']) }])
 * const shares = createSqlShareLinkStore(client)
 * const { hash, prefix } = generateShareToken()
 * const link = await shares.create({ id: 'sh_1', projectId: project.id, traceId: 'tr_1', tokenHash: hash, tokenPrefix: prefix, expiresMs: null })
 * ;[link.traceId, link.expiresAt, link.revokedAt] // → ['tr_1', null, null]
 * (await shares.findByTokenHash(hash))?.id // → 'sh_1'
 * await store.close()
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
