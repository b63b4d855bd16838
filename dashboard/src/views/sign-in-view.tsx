import { useState } from 'preact/hooks'
import { errorText } from '../api/api-client.ts'
import { Notice } from '../components/notice.tsx'
import { useTitle } from '../components/use-title.ts'
import { signIn } from '../state/session.ts'

/**
 * Sign-in with an API key; the server keeps it in an httpOnly cookie, the page never stores it.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * const html = renderToString(<SignInView />)
 * html.includes('<input id="api-key" name="key" type="password"') // → true
 * // Nothing to send until a key is typed:
 * html.includes('<button type="submit" class="button primary" disabled>Sign in</button>') // → true
 */
export function SignInView() {
  useTitle('Sign in')
  const [key, setKey] = useState('')
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<string | undefined>()
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setFailure(undefined)
    try {
      await signIn(key)
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main id="main" class="page narrow sign-in">
      <h1>Retrace</h1>
      <p class="lead">Sign in with an API key of your project. The server printed one on its first start; <code>POST /api/v1/keys</code> makes more.</p>
      <form onSubmit={submit} class="stack">
        <label for="api-key">API key</label>
        <input id="api-key" name="key" type="password" autocomplete="off" spellcheck={false} placeholder="rt_live_…" value={key} onInput={(event) => setKey(event.currentTarget.value)} required />
        <button type="submit" class="button primary" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {failure && <Notice tone="error">{failure}</Notice>}
      </form>
      <p class="muted small">The key is kept in an httpOnly, SameSite=Strict cookie sent only to this server’s API. Sign out clears it.</p>
    </main>
  )
}
