import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { storeTargets } from '../../test/store-matrix.ts'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

// The sign-in cookie is the dashboard's only credential: checked like the header, usable only
// from the dashboard's own origin, and never by the protocol endpoints.
describe('the dashboard sign-in cookie', () => {
  const sqlite = storeTargets()[0]!
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer(sqlite)
  })
  afterAll(async () => {
    await t?.close()
  })
  const session = (init: RequestInit = {}) => fetch(`${t.url}/api/v1/dashboard/session`, init)
  const signIn = async (key: string, headers: Record<string, string> = {}) =>
    session({ method: 'POST', headers: { 'content-type': 'application/json', 'x-retrace-csrf': '1', ...headers }, body: JSON.stringify({ key }) })
  const cookieOf = (response: Response) => response.headers.get('set-cookie')!.split(';')[0]!

  test('signing in keeps the key in an httpOnly, SameSite=Strict cookie for the API only', async () => {
    const response = await signIn(t.key)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ signedIn: true, project: { id: t.projectId }, key: { scopes: ['ingest', 'read', 'admin'] }, sharing: 'on' })
    const cookie = response.headers.get('set-cookie')!
    expect(cookie).toMatch(/^retrace_key=rt_live_\w+; Path=\/api\/; HttpOnly; SameSite=Strict; Max-Age=604800$/)
    expect((await signIn(t.key, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).toMatch(/; Secure$/)
    const me = await (await session({ headers: { cookie: cookieOf(response) } })).json()
    expect(me).toMatchObject({ signedIn: true, key: { prefix: t.key.slice(0, 12) } })
    expect(await (await session()).json()).toEqual({ signedIn: false })
  })

  test('a wrong key sets no cookie; a revoked key’s cookie stops working at once', async () => {
    const wrong = await signIn('rt_live_wrong')
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()
    const made = (await t.call('/api/v1/keys', { json: { name: 'temp', scopes: ['read'] } })).body
    const cookie = cookieOf(await signIn(made.secret))
    expect((await fetch(`${t.url}/api/v1/traces`, { headers: { cookie } })).status).toBe(200)
    await t.call(`/api/v1/keys/${made.key.id}`, { method: 'DELETE' })
    expect((await fetch(`${t.url}/api/v1/traces`, { headers: { cookie } })).status).toBe(401)
    expect((await session({ headers: { cookie } })).status).toBe(401)
  })

  test('reads work with the cookie; writes need the CSRF header and the same origin; cross-site requests are refused', async () => {
    const cookie = cookieOf(await signIn(t.key))
    expect((await fetch(`${t.url}/api/v1/traces`, { headers: { cookie } })).status).toBe(200)
    const write = (headers: Record<string, string>) =>
      fetch(`${t.url}/api/v1/keys`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'via cookie', scopes: ['read'] }) })
    const noHeader = await write({})
    expect(noHeader.status).toBe(403)
    expect(((await noHeader.json()) as Record<string, any>).error.message).toContain('x-retrace-csrf')
    expect((await write({ 'x-retrace-csrf': '1', origin: 'https://evil.example' })).status).toBe(403)
    expect((await write({ 'x-retrace-csrf': '1', 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await fetch(`${t.url}/api/v1/traces`, { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
    expect((await write({ 'x-retrace-csrf': '1', origin: t.url, 'sec-fetch-site': 'same-origin' })).status).toBe(201)
    // Sign-in itself is a write: a page elsewhere cannot sign a browser in.
    expect((await signIn(t.key, { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await session({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: t.key }) })).status).toBe(403)
  })

  test('scripts keep using x-retrace-key; the protocol endpoints never take the cookie', async () => {
    const cookie = cookieOf(await signIn(t.key))
    expect((await t.call('/api/v1/traces')).status).toBe(200)
    const events = await fetch(`${t.url}/v1/events`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-retrace-csrf': '1' }, body: JSON.stringify({ type: 'batch', batchId: 'b', events: [] }) })
    expect(events.status).toBe(401)
  })

  test('signing out clears the cookie', async () => {
    const out = await session({ method: 'DELETE', headers: { 'x-retrace-csrf': '1' } })
    expect(out.status).toBe(200)
    expect(out.headers.get('set-cookie')).toMatch(/^retrace_key=; Path=\/api\/; HttpOnly; SameSite=Strict; Max-Age=0$/)
    expect((await session({ method: 'DELETE' })).status).toBe(403)
  })
})
