import { useEffect, useState } from 'preact/hooks'
import { errorText } from './api/api-client.ts'
import { Notice } from './components/notice.tsx'
import { location, matchRoute } from './state/router.ts'
import { loadSession, session, signOut } from './state/session.ts'
import { ForkView } from './views/fork-view.tsx'
import { SensitivityView } from './views/sensitivity-view.tsx'
import { SettingsView } from './views/settings-view.tsx'
import { SharedTraceView } from './views/shared-trace-view.tsx'
import { SignInView } from './views/sign-in-view.tsx'
import { SweepView } from './views/sweep-view.tsx'
import { TraceView } from './views/trace-view.tsx'
import { TracesView } from './views/traces-view.tsx'

/**
 * The dashboard: a shared trace for `/s/<token>` (no sign-in), else the sign-in form or the
 * signed-in pages.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * import { location } from './state/router.ts'
 * import { session } from './state/session.ts'
 * import type { DashboardSession } from './api/api-types.ts'
 * // main.tsx renders it into the page; the session is asked for once it is mounted.
 * renderToString(<App />) // → '<main id="main" class="page narrow" aria-busy="true"><p class="muted">Loading…</p></main>'
 * session.value = null
 * renderToString(<App />).includes('<label for="api-key">API key</label>') // → true
 * // Signed in, each address shows its page:
 * const signedIn: DashboardSession = { signedIn: true, project: { id: 'p1', name: 'Travel agent' }, key: { id: 'k1', name: 'laptop', prefix: 'rt_live_ab12', scopes: ['read', 'admin'] }, sharing: 'on' }
 * session.value = signedIn
 * location.value = new URL('http://localhost/settings')
 * renderToString(<App />).includes('<h1>Settings</h1>') // → true
 * location.value = new URL('http://localhost/')
 * session.value = undefined
 */
export function App() {
  const route = matchRoute(location.value.pathname)
  if (route.name === 'shared') return <SharedTraceView token={route.token} />
  return <SignedInApp />
}

function SignedInApp() {
  const [failure, setFailure] = useState<string | undefined>()
  const current = session.value
  useEffect(() => {
    if (current === undefined) loadSession().catch((error: unknown) => setFailure(errorText(error)))
  }, [current])
  if (failure) return <main id="main" class="page narrow"><Notice tone="error">{failure}</Notice></main>
  if (current === undefined) return <main id="main" class="page narrow" aria-busy="true"><p class="muted">Loading…</p></main>
  if (current === null) return <SignInView />
  const route = matchRoute(location.value.pathname)
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="top-bar">
        <a class="brand" href="/">Retrace</a>
        <nav aria-label="Main">
          <a href="/" aria-current={route.name === 'traces' ? 'page' : undefined}>Traces</a>
          <a href="/settings" aria-current={route.name === 'settings' ? 'page' : undefined}>Settings</a>
        </nav>
        <span class="top-bar-project" title={`Key ${current.key.prefix}…`}>{current.project.name}</span>
        <button type="button" class="button subtle" onClick={() => void signOut()}>Sign out</button>
      </header>
      <main id="main" class="page" tabIndex={-1}>
        {route.name === 'traces' && <TracesView />}
        {route.name === 'trace' && <TraceView traceId={route.traceId} tab={route.tab} />}
        {route.name === 'fork' && <ForkView forkId={route.forkId} />}
        {route.name === 'sweep' && <SweepView sweepId={route.sweepId} />}
        {route.name === 'sensitivity' && <SensitivityView analysisId={route.analysisId} />}
        {route.name === 'settings' && <SettingsView />}
        {route.name === 'not-found' && (
          <>
            <h1>Not found</h1>
            <p>No page here. <a href="/">Back to the traces</a>.</p>
          </>
        )}
      </main>
    </>
  )
}
