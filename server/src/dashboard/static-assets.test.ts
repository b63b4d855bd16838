import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { expect, test } from 'vitest'
import { DASHBOARD_CSP, mountDashboardAssets } from './static-assets.ts'

function builtDashboard(): string {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-assets-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Retrace</title><script type="module" src="/assets/app-1.js"></script>')
  writeFileSync(join(dir, 'assets', 'app-1.js'), `console.log(${JSON.stringify('x'.repeat(4000))})`)
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>')
  return dir
}

function app(dir: string): Hono {
  const hono = new Hono()
  hono.get('/api/v1/traces', (c) => c.json({ traces: [] }))
  mountDashboardAssets(hono, dir)
  hono.notFound((c) => c.json({ error: { code: 'not_found' } }, 404))
  return hono
}

test('every page path is the app, with a strict CSP and noindex; share pages send no referrer', async () => {
  const hono = app(builtDashboard())
  for (const path of ['/', '/traces/tr_1', '/traces/tr_1/agents', '/settings', '/s/rts_abc']) {
    const response = await hono.request(path)
    expect(response.status, path).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP)
    expect(response.headers.get('x-robots-tag')).toBe('noindex, nofollow')
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('referrer-policy')).toBe(path.startsWith('/s/') ? 'no-referrer' : 'same-origin')
    expect(await response.text()).toContain('<title>Retrace</title>')
  }
  expect(DASHBOARD_CSP).toContain("script-src 'self'")
})

test('hashed assets are cached for good and gzipped when the browser accepts it; missing files and API paths are 404s', async () => {
  const hono = app(builtDashboard())
  const plain = await hono.request('/assets/app-1.js')
  expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
  expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  const zipped = await hono.request('/assets/app-1.js', { headers: { 'accept-encoding': 'gzip, br' } })
  expect(zipped.headers.get('content-encoding')).toBe('gzip')
  expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(await plain.text())
  expect((await hono.request('/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml')
  for (const path of ['/assets/gone.js', '/robots.txt', '/api/v1/unknown', '/v1/unknown', '/api']) expect((await hono.request(path)).status, path).toBe(404)
  expect(await (await hono.request('/api/v1/traces')).json()).toEqual({ traces: [] })
  expect((await hono.request('/../../etc/passwd')).status).not.toBe(500)
})

test('without a build, the page says how to build it', async () => {
  const hono = app(mkdtempSync(join(tmpdir(), 'retrace-empty-')))
  const response = await hono.request('/')
  expect(await response.text()).toContain('npm run build')
})
