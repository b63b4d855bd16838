import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Context, Hono } from 'hono'

/** One file of the built dashboard, read once at start. */
interface Asset {
  body: Buffer
  gzip: Buffer | undefined
  type: string
  /** Hashed file names never change: cache them for a year. The page itself is revalidated. */
  cacheControl: string
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
}

/**
 * The page may load only from this server: no CDN, no inline script, no framing. The
 * dashboard needs nothing else (it is built into same-origin files).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Paths that belong to the API and the protocol, never to the page. */
const NOT_THE_PAGE = /^\/(?:api|v1)(?:\/|$)|^\/healthz$/

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const file = join(folder, name)
      if (statSync(file).isDirectory()) walk(file)
      else {
        const body = readFileSync(file)
        const type = TYPES[extname(name)] ?? 'application/octet-stream'
        const compressible = /^(?:text\/|application\/json|image\/svg)/.test(type) && body.length > 512
        const path = `/${relative(dir, file).split(sep).join('/')}`
        assets.set(path, { body, gzip: compressible ? gzipSync(body, { level: 9 }) : undefined, type, cacheControl: path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache' })
      }
    }
  }
  if (existsSync(join(dir, 'index.html'))) walk(dir)
  return assets
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Retrace</title></head>
<body><main><h1>The Retrace dashboard is not built</h1><p>Run <code>npm run build</code> at the repository root (it runs at <code>npm install</code>), then restart the server. The API is up: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></main></body></html>`

/**
 * Serves the built dashboard from `dir` at `/` on the API's own port: the files under it,
 * and `index.html` for every other page path (the app routes in the browser). API and
 * protocol paths are left to their 404. Files are read and gzipped once, at start; every
 * page answer carries a strict Content-Security-Policy and `noindex`.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { Hono } from 'hono'
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-dashboard-'))
 * writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Retrace</title>')
 * writeFileSync(join(dir, 'app.js'), 'console.log(1)')
 * const app = new Hono()
 * mountDashboardAssets(app, dir)
 * await (await app.request('/app.js')).text() // → 'console.log(1)'
 * // A page path of the app: index.html.
 * await (await app.request('/traces/tr_1')).text() // → '<!doctype html><title>Retrace</title>'
 * (await app.request('/api/v1/nothing')).status // → 404
 */
export function mountDashboardAssets(app: Hono, dir: string): void {
  const assets = loadAssets(dir)
  const index = assets.get('/index.html')
  const send = (c: Context, asset: Asset, extra: Record<string, string> = {}) => {
    const gzip = asset.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': asset.cacheControl,
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
      ...extra,
    }
    if (gzip) headers['content-encoding'] = 'gzip'
    const body = gzip ? asset.gzip! : asset.body
    return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(body), { headers })
  }
  const page = (c: Context) => {
    const pathname = new URL(c.req.url).pathname
    const headers = {
      'content-security-policy': DASHBOARD_CSP,
      'x-frame-options': 'DENY',
      'x-robots-tag': 'noindex, nofollow',
      // A share page's URL is its token: never send it onward.
      'referrer-policy': pathname.startsWith('/s/') ? 'no-referrer' : 'same-origin',
      'cache-control': 'no-cache',
    }
    if (!index) return c.html(NOT_BUILT, 200, headers)
    return send(c, index, headers)
  }
  app.on(['GET', 'HEAD'], '*', (c) => {
    const pathname = new URL(c.req.url).pathname
    if (NOT_THE_PAGE.test(pathname)) return c.notFound()
    const asset = assets.get(pathname)
    if (asset && pathname !== '/index.html') return send(c, asset)
    // A missing file (an extension, or under /assets/) is a 404, not the page.
    if (pathname.startsWith('/assets/') || /\.[a-z0-9]{1,8}$/i.test(pathname)) return c.notFound()
    return page(c)
  })
}
