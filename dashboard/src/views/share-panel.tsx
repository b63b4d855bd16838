import { useEffect, useState } from 'preact/hooks'
import { api, errorText, query } from '../api/api-client.ts'
import type { CreatedShare, ShareLink } from '../api/api-types.ts'
import { Notice } from '../components/notice.tsx'
import { formatTime } from '../model/format.ts'
import { canAdmin, session } from '../state/session.ts'

const EXPIRIES = [
  { label: 'never', hours: undefined },
  { label: '1 hour', hours: 1 },
  { label: '24 hours', hours: 24 },
  { label: '7 days', hours: 24 * 7 },
  { label: '30 days', hours: 24 * 30 },
] as const

/**
 * Creates a public, read-only link to one trace (optionally expiring) and lists this trace's
 * links with a revoke button. The link's token is shown once, here.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { session } from '../state/session.ts'
 * import type { DashboardSession } from '../api/api-types.ts'
 * const signedIn: DashboardSession = { signedIn: true, project: { id: 'p1', name: 'Travel agent' }, key: { id: 'k1', name: 'laptop', prefix: 'rt_live_ab12', scopes: ['read', 'admin'] }, sharing: 'on' }
 * session.value = signedIn
 * renderToString(<SharePanel traceId="t1" onClose={() => {}} />).includes('>Create link</button>') // → true
 * // A server started with --sharing off makes no link:
 * session.value = { ...signedIn, sharing: 'off' }
 * renderToString(<SharePanel traceId="t1" onClose={() => {}} />).includes('Sharing is turned off on this server') // → true
 * session.value = null
 */
export function SharePanel({ traceId, onClose }: { traceId: string; onClose(): void }) {
  const [expiry, setExpiry] = useState(0)
  const [created, setCreated] = useState<CreatedShare | undefined>()
  const [links, setLinks] = useState<ShareLink[]>([])
  const [failure, setFailure] = useState<string | undefined>()
  const [copied, setCopied] = useState<string | undefined>()
  const refresh = () => api<{ shares: ShareLink[] }>(`/api/v1/shares${query({ traceId })}`).then((body) => setLinks(body.shares), (error: unknown) => setFailure(errorText(error)))
  useEffect(() => void refresh(), [traceId])
  const off = session.value?.sharing === 'off'
  const create = async () => {
    setFailure(undefined)
    try {
      const hours = EXPIRIES[expiry]?.hours
      setCreated(await api<CreatedShare>('/api/v1/shares', { method: 'POST', body: { traceId, ...(hours ? { expiresInHours: hours } : {}) } }))
      await refresh()
    } catch (error) {
      setFailure(errorText(error))
    }
  }
  const revoke = async (id: string) => {
    try {
      await api(`/api/v1/shares/${encodeURIComponent(id)}`, { method: 'DELETE' })
      if (created?.share.id === id) setCreated(undefined)
      await refresh()
    } catch (error) {
      setFailure(errorText(error))
    }
  }
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text)
      setCopied('Link copied.')
    } catch {
      setCopied('Select the link and copy it.')
    }
  }
  return (
    <section class="share-panel popover" aria-labelledby="share-title">
      <div class="span-head">
        <h2 id="share-title" class="section-title">Share this trace</h2>
        <button type="button" class="button subtle small" onClick={onClose}>Close</button>
      </div>
      {off ? (
        <Notice>Sharing is turned off on this server (started with <code>--sharing off</code>).</Notice>
      ) : !canAdmin() ? (
        <Notice>Creating a public link needs a key with the admin scope.</Notice>
      ) : (
        <>
          <p class="small">Anyone with the link sees this trace, read-only, without a key — and nothing else. Search engines are told not to index it.</p>
          <div class="inline-form">
            <label for="share-expiry">Expires</label>
            <select id="share-expiry" value={String(expiry)} onChange={(event) => setExpiry(Number(event.currentTarget.value))}>
              {EXPIRIES.map((option, index) => (
                <option key={option.label} value={String(index)}>{option.label}</option>
              ))}
            </select>
            <button type="button" class="button primary" onClick={() => void create()}>Create link</button>
          </div>
        </>
      )}
      {created && (
        <div class="created-link">
          <label for="share-url">Public link (shown once)</label>
          <div class="inline-form">
            <input id="share-url" type="text" readOnly value={created.url} onFocus={(event) => event.currentTarget.select()} data-testid="share-url" />
            <button type="button" class="button" onClick={() => void copy(created.url)}>Copy</button>
          </div>
          <p class="small" role="status">{copied}</p>
        </div>
      )}
      {failure && <Notice tone="error">{failure}</Notice>}
      {links.length > 0 && <ShareLinkTable links={links} onRevoke={canAdmin() ? revoke : undefined} />}
    </section>
  )
}

/**
 * Share links with their state, and a revoke button for active ones.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * const link = { id: 'sh_1', projectId: 'p1', traceId: 't1', tokenPrefix: 'rts_Ab3d', createdAt: '2026-03-01T10:00:00.000Z', expiresAt: null, revokedAt: null }
 * const revoked = { ...link, id: 'sh_2', tokenPrefix: 'rts_Zx9q', revokedAt: '2026-03-02T10:00:00.000Z' }
 * const html = renderToString(<ShareLinkTable links={[link, revoked]} onRevoke={(id) => console.log('revoke', id)} />)
 * ;[...html.matchAll(/<span class="badge badge-\w+">(\w+)<\/span>/g)].map((match) => match[1]) // → ['active', 'revoked']
 * // Only the active link can be revoked:
 * [html.includes('aria-label="Revoke link rts_Ab3d"'), html.includes('aria-label="Revoke link rts_Zx9q"')] // → [true, false]
 */
export function ShareLinkTable({ links, onRevoke, showTrace }: { links: readonly ShareLink[]; onRevoke?: ((id: string) => void) | undefined; showTrace?: boolean }) {
  const now = Date.now()
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Share links">
      <table class="table">
        <thead>
          <tr>
            {showTrace && <th scope="col">Trace</th>}
            <th scope="col">Link</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            {onRevoke && <th scope="col"><span class="visually-hidden">Actions</span></th>}
          </tr>
        </thead>
        <tbody>
          {links.map((link) => {
            const state = link.revokedAt ? 'revoked' : link.expiresAt && Date.parse(link.expiresAt) <= now ? 'expired' : 'active'
            return (
              <tr key={link.id} data-share-id={link.id}>
                {showTrace && <td><a href={`/traces/${encodeURIComponent(link.traceId)}`}>{link.traceId}</a></td>}
                <td><code>{link.tokenPrefix}…</code></td>
                <td>{formatTime(link.createdAt)}</td>
                <td>{link.expiresAt ? formatTime(link.expiresAt) : 'never'}</td>
                <td><span class={`badge badge-${state === 'active' ? 'good' : 'neutral'}`}>{state}</span></td>
                {onRevoke && (
                  <td>
                    {state === 'active' && (
                      <button type="button" class="button subtle small" onClick={() => onRevoke(link.id)} aria-label={`Revoke link ${link.tokenPrefix}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                )}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
