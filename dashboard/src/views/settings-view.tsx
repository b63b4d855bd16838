import { useEffect, useState } from 'preact/hooks'
import { api, errorText } from '../api/api-client.ts'
import type { ShareLink } from '../api/api-types.ts'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import { canAdmin, session, signOut } from '../state/session.ts'
import { ShareLinkTable } from './share-panel.tsx'

/**
 * The session, the instance's sharing switch, every share link of the project (revocable), sign-out.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { session } from '../state/session.ts'
 * import type { DashboardSession } from '../api/api-types.ts'
 * const signedIn: DashboardSession = { signedIn: true, project: { id: 'p1', name: 'Travel agent' }, key: { id: 'k1', name: 'laptop', prefix: 'rt_live_ab12', scopes: ['read', 'admin'] }, sharing: 'on' }
 * session.value = signedIn
 * const html = renderToString(<SettingsView />)
 * html.includes('<dt>Scopes</dt><dd>read, admin</dd>') // → true
 * html.includes('<strong data-testid="sharing-state">on</strong>') // → true
 * // Signed out, there is nothing to show:
 * session.value = null
 * renderToString(<SettingsView />) // → ''
 */
export function SettingsView() {
  useTitle('Settings')
  const current = session.value
  const [links, setLinks] = useState<ShareLink[] | undefined>()
  const [sharing, setSharing] = useState<'on' | 'off' | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  const refresh = () =>
    api<{ shares: ShareLink[]; sharing: 'on' | 'off' }>('/api/v1/shares').then(
      (body) => {
        setLinks(body.shares)
        setSharing(body.sharing)
      },
      (error: unknown) => setFailure(errorText(error)),
    )
  useEffect(() => void refresh(), [])
  const revoke = async (id: string) => {
    try {
      await api(`/api/v1/shares/${encodeURIComponent(id)}`, { method: 'DELETE' })
      await refresh()
    } catch (error) {
      setFailure(errorText(error))
    }
  }
  if (!current) return null
  return (
    <>
      <h1>Settings</h1>
      <section aria-labelledby="session-title" class="card">
        <h2 id="session-title" class="section-title">Signed in</h2>
        <dl class="facts">
          <div><dt>Project</dt><dd>{current.project.name} <code class="small">{current.project.id}</code></dd></div>
          <div><dt>Key</dt><dd>{current.key.name} <code class="small">{current.key.prefix}…</code></dd></div>
          <div><dt>Scopes</dt><dd>{current.key.scopes.join(', ')}</dd></div>
        </dl>
        <button type="button" class="button" onClick={() => void signOut()}>Sign out</button>
      </section>
      <section aria-labelledby="sharing-title" class="card">
        <h2 id="sharing-title" class="section-title">Share links</h2>
        <p>
          Sharing on this server is <strong data-testid="sharing-state">{sharing ?? current.sharing}</strong>.{' '}
          <span class="muted small">The instance-wide switch is the server’s <code>--sharing on|off</code> (or <code>RETRACE_SHARING</code>); off closes every link below and refuses new ones.</span>
        </p>
        {failure && <Notice tone="error">{failure}</Notice>}
        {links === undefined && !failure && <p class="muted">Loading…</p>}
        {links && links.length === 0 && <p class="empty">No share links yet: open a trace and choose Share.</p>}
        {links && links.length > 0 && <ShareLinkTable links={links} showTrace onRevoke={canAdmin() ? (id) => void revoke(id) : undefined} />}
      </section>
    </>
  )
}
