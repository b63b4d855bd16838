import { render } from 'preact'
import { App } from './app.tsx'
import { prefetch } from './api/api-client.ts'
import { matchRoute, startRouter } from './state/router.ts'
import './styles.css'

startRouter()
// A trace page asks for its trace right away, beside the sign-in check.
const first = matchRoute(window.location.pathname)
if (first.name === 'trace') prefetch(`/api/v1/traces/${encodeURIComponent(first.traceId)}`)
render(<App />, document.getElementById('app')!)
