import { signal } from '@preact/signals'

/**
 * The page's address; every view reads it, `navigate` changes it. Outside a page (a view
 * rendered to a string, as the doc examples do) it starts at `/`, so the views can load.
 */
export const location = signal(new URL(typeof window === 'undefined' ? 'http://localhost/' : window.location.href))

/** One of the dashboard's pages, from its path. */
export type Route =
  | { name: 'traces' }
  | { name: 'trace'; traceId: string; tab: 'timeline' | 'agents' }
  | { name: 'fork'; forkId: string }
  | { name: 'sweep'; sweepId: string }
  | { name: 'sensitivity'; analysisId: string }
  | { name: 'settings' }
  | { name: 'shared'; token: string }
  | { name: 'not-found' }

/**
 * The route of a path.
 *
 * @example
 * matchRoute('/traces/tr_1/agents') // → { name: 'trace', traceId: 'tr_1', tab: 'agents' }
 * matchRoute('/nowhere/at/all') // → { name: 'not-found' }
 */
export function matchRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part)
    } catch {
      return part
    }
  })
  const [first, second, third] = parts
  if (parts.length === 0) return { name: 'traces' }
  if (first === 'traces' && second && parts.length <= 3 && (third === undefined || third === 'agents')) return { name: 'trace', traceId: second, tab: third === 'agents' ? 'agents' : 'timeline' }
  if (first === 'forks' && second && parts.length === 2) return { name: 'fork', forkId: second }
  if (first === 'sweeps' && second && parts.length === 2) return { name: 'sweep', sweepId: second }
  if (first === 'sensitivity' && second && parts.length === 2) return { name: 'sensitivity', analysisId: second }
  if (first === 'settings' && parts.length === 1) return { name: 'settings' }
  if (first === 's' && second && parts.length === 2) return { name: 'shared', token: second }
  return { name: 'not-found' }
}

/**
 * Goes to a page of the dashboard without reloading it.
 *
 * @example
 * navigate('/traces/tr_1')
 * window.location.pathname // → '/traces/tr_1'
 * matchRoute(location.value.pathname) // → { name: 'trace', traceId: 'tr_1', tab: 'timeline' }
 * // `replace` leaves no history entry: Back skips this page
 * const entries = history.length
 * navigate('/traces/tr_1/agents', { replace: true })
 * ;[window.location.pathname, history.length - entries] // → ['/traces/tr_1/agents', 0]
 */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const next = new URL(path, window.location.origin)
  if (options.replace) history.replaceState(null, '', next)
  else history.pushState(null, '', next)
  location.value = next
  if (!options.replace) window.scrollTo(0, 0)
}

/**
 * Changes query parameters of the current page in place (no history entry).
 *
 * @example
 * navigate('/traces/tr_1')
 * setQuery({ step: 3, span: 'sp_2' })
 * location.value.search // → '?step=3&span=sp_2'
 * // undefined, null or '' removes a parameter
 * setQuery({ span: undefined })
 * window.location.search // → '?step=3'
 */
export function setQuery(values: Record<string, string | number | undefined | null>): void {
  const next = new URL(location.value.href)
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') next.searchParams.delete(name)
    else next.searchParams.set(name, String(value))
  }
  if (next.href === location.value.href) return
  history.replaceState(null, '', next)
  location.value = next
}

/**
 * Same-origin links move within the app instead of reloading the page.
 *
 * @example
 * // main.tsx, once, before the first render
 * startRouter()
 * document.body.innerHTML = '<a href="/settings">Settings</a>'
 * document.querySelector('a')!.click()
 * // No reload: the address and the `location` signal changed, so the view did
 * ;[window.location.pathname, matchRoute(location.value.pathname)] // → ['/settings', { name: 'settings' }]
 */
export function startRouter(): void {
  window.addEventListener('popstate', () => (location.value = new URL(window.location.href)))
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const anchor = (event.target as Element | null)?.closest?.('a')
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return
    const url = new URL(anchor.href, window.location.href)
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return
    event.preventDefault()
    navigate(url.pathname + url.search + url.hash)
  })
}
