import { gzipSync } from 'node:zlib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { browserAvailable, launchChromium, screenshot, seriousViolations, unreachableByKeyboard, watchErrors } from './browser.ts'
import { startSeededServer, waitForTrace, type SeededServer } from './seed.ts'
import { signedIn } from './session.ts'

// Every view of the dashboard in headless Chromium against a real server with recorded runs:
// it loads with no console error (failed loads and CSP violations included), is screenshotted,
// has no serious or critical axe-core violation, and every control is reachable with Tab.
describe.skipIf(!browserAvailable())('the dashboard in a real browser', () => {
  let seeded: SeededServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    ;[seeded, browser] = await Promise.all([startSeededServer(), launchChromium()])
    ;({ context, page } = await signedIn(browser, seeded.url, seeded.key))
    errors = watchErrors(page)
  })
  afterAll(async () => {
    await browser?.close()
    await seeded?.close()
  })

  const views: Array<{ name: string; path: () => string; ready: string; check?: (page: Page) => Promise<void> }> = [
    {
      name: 'traces',
      path: () => '/',
      ready: 'table tbody tr',
      check: async (p) => expect(await p.$$eval('tbody tr', (rows) => rows.length)).toBe(4),
    },
    { name: 'sessions', path: () => '/?group=sessions', ready: '.sessions li', check: async (p) => expect(await p.textContent('.sessions')).toContain('demo-session') },
    {
      name: 'trace',
      path: () => `/traces/${seeded.traces.weather}`,
      ready: '.timeline-row',
      check: async (p) => {
        expect(await p.textContent('h1')).toBe('weather-agent')
        expect(await p.$$eval('.timeline-row', (rows) => rows.length)).toBe(3)
        expect(await p.textContent('.totals')).toContain('LLM calls2')
      },
    },
    {
      name: 'span',
      path: () => `/traces/${seeded.traces.cassette}?step=2`,
      ready: 'text=Copy as cassette',
      check: async (p) => {
        const panel = (await p.textContent('.span-panel')) ?? ''
        expect(panel).toContain('Tokens in / out')
        expect(panel).toContain('Based on get_weather')
        expect(panel).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions → 200/)
      },
    },
    {
      name: 'agents',
      path: () => `/traces/${seeded.traces.crew}/agents`,
      ready: '.topology svg',
      check: async (p) => {
        expect(await p.$$eval('.node-name', (nodes) => nodes.map((node) => node.textContent))).toEqual(['planner', 'researcher', 'writer', 'reviewer'])
        expect(await p.$$eval('.edge-handoff', (edges) => edges.length)).toBe(3)
        // Beside the topology: the flags the server's detectors stored when the run ended.
        await seeded.server.detections.idle()
        const stored = (await seeded.call(`/api/v1/traces/${seeded.traces.crew}/detections`)).body
        expect(stored).toMatchObject({ status: 'done', trigger: 'trace-end' })
        expect(stored.flags.length).toBeGreaterThan(0)
        const shown = () => p.$$eval('.flag-list li', (items) => items.map((item) => item.querySelector('strong')?.textContent))
        await expect.poll(shown).toEqual(stored.flags.map((flag: { kind: string }) => flag.kind))
        const first = stored.flags[0]
        expect(await p.textContent('.flag-list li:first-child')).toContain(`${first.agent}: ${first.message}`)
        expect(await p.getAttribute('.flag-list li:first-child a', 'href')).toMatch(new RegExp(`^/traces/${seeded.traces.crew}\\?step=\\d+$`))
      },
    },
    { name: 'failed-trace', path: () => `/traces/${seeded.traces.failed}`, ready: '.timeline-row', check: async (p) => expect(await p.textContent('.page-head')).toContain('failed') },
    { name: 'settings', path: () => '/settings', ready: '[data-testid=sharing-state]', check: async (p) => expect(await p.textContent('[data-testid=sharing-state]')).toBe('on') },
  ]

  test.each(views)('$name: loads with no console error, is screenshotted, has no serious accessibility violation, and is reachable by keyboard', async (view) => {
    errors.length = 0
    await page.goto(`${seeded.url}${view.path()}`)
    await page.waitForSelector(view.ready)
    await view.check?.(page)
    await screenshot(page, view.name)
    expect(await seriousViolations(page)).toEqual([])
    expect(await unreachableByKeyboard(page)).toEqual([])
    expect(errors).toEqual([])
  })

  test('the sign-in page (signed out) passes the same checks, and a wrong key is refused in words', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1000, height: 700 } })
    const signIn = await fresh.newPage()
    const signInErrors = watchErrors(signIn)
    await signIn.goto(`${seeded.url}/`)
    await signIn.waitForSelector('#api-key')
    await screenshot(signIn, 'sign-in')
    expect(await seriousViolations(signIn)).toEqual([])
    expect(await unreachableByKeyboard(signIn)).toEqual([])
    expect(signInErrors).toEqual([])
    await signIn.fill('#api-key', 'rt_live_not-a-key')
    await signIn.click('button[type=submit]')
    await signIn.waitForSelector('[role=alert]')
    expect(await signIn.textContent('[role=alert]')).toBe('Invalid API key.')
    await fresh.close()
  })

  test('the first load is well under 150 KB of JavaScript, gzipped, all from this server', async () => {
    const fresh = await browser.newContext()
    const first = await fresh.newPage()
    const scripts: Array<{ url: string; gzipped: number }> = []
    const origins = new Set<string>()
    first.on('request', (request) => origins.add(new URL(request.url()).origin))
    first.on('response', async (response) => {
      if (response.request().resourceType() === 'script') scripts.push({ url: response.url(), gzipped: gzipSync(await response.body(), { level: 9 }).length })
    })
    await first.goto(`${seeded.url}/`, { waitUntil: 'networkidle' })
    const total = scripts.reduce((sum, script) => sum + script.gzipped, 0)
    console.log(`first load: ${scripts.length} script(s), ${(total / 1024).toFixed(1)} KB gzipped`)
    expect(scripts.length).toBeGreaterThan(0)
    expect(total).toBeLessThanOrEqual(150 * 1024)
    expect([...origins]).toEqual([seeded.url])
    await fresh.close()
  })

  test('filters, search and sort change the list and the address', async () => {
    await page.goto(`${seeded.url}/`)
    await page.waitForSelector('tbody tr')
    await page.fill('#filter-q', 'crew')
    await page.click('form.filters button[type=submit]')
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
    expect(await page.textContent('tbody')).toContain('research-crew')
    expect(new URL(page.url()).search).toBe('?q=crew')
    await page.goto(`${seeded.url}/?status=failed`)
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
    expect(await page.textContent('tbody')).toContain('flaky-agent')
    await page.goto(`${seeded.url}/?sort=cost`)
    await page.waitForSelector('tbody tr')
    expect(await page.textContent('tbody tr:first-child')).toContain('research-crew')
    await page.goto(`${seeded.url}/?session=demo-session&tag=multi-agent`)
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
    // Traces pushed with git metadata show where they came from.
    await page.goto(`${seeded.url}/?q=${encodeURIComponent('answers with the weather')}`)
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
    expect(await page.textContent('tbody')).toContain('github.com/acme/weather-bot · main @3f9c2a1b')
  })

  test('a new run appears in the open list over the live stream, without a reload', async () => {
    await page.goto(`${seeded.url}/`)
    await page.waitForSelector('tbody tr')
    const before = await page.$$eval('tbody tr', (rows) => rows.length)
    const at = new Date().toISOString()
    const events = [
      { type: 'trace.start', id: 'live-1:start', trace: { id: 'live-1', name: 'arrived-live', startedAt: at } },
      { type: 'trace.end', id: 'live-1:end', trace: { id: 'live-1', endedAt: at, status: 'completed', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 1 } } },
    ]
    expect((await seeded.call('/v1/events', { json: { type: 'batch', batchId: 'live', events } })).status).toBe(200)
    await page.waitForSelector('tr[data-trace-id="live-1"]', { timeout: 10_000 })
    expect(await page.$$eval('tbody tr', (rows) => rows.length)).toBe(before + 1)
    expect(await page.textContent('.live-line')).toBe('1 new trace')
    await waitForTrace(seeded.call, 'live-1')
  })

  test('copy as cassette puts a one-call cassette of the recorded exchange on the clipboard', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: seeded.url })
    await page.goto(`${seeded.url}/traces/${seeded.traces.cassette}?step=1`)
    await page.click('text=Copy as cassette')
    await page.waitForSelector('text=Cassette copied to the clipboard.')
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))
    expect(copied.version).toBe(1)
    expect(copied.interactions).toHaveLength(1)
    expect(copied.interactions[0].request.headers.authorization).toBe('[REDACTED]')
    expect(copied.interactions[0].response.status).toBe(200)
  })

  test('past 50 traces the list pages with its cursor (Load more), in order', async () => {
    const base = Date.parse('2026-01-01T00:00:00.000Z')
    const events = Array.from({ length: 60 }, (_, index) => {
      const at = new Date(base + index * 1000).toISOString()
      return [
        { type: 'trace.start', id: `page-${index}:start`, trace: { id: `page-${index}`, name: `paged-${String(index).padStart(2, '0')}`, startedAt: at, tags: ['paged'] } },
        { type: 'trace.end', id: `page-${index}:end`, trace: { id: `page-${index}`, endedAt: at, status: 'completed', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 1 } } },
      ]
    }).flat()
    expect((await seeded.call('/v1/events', { json: { type: 'batch', batchId: 'paged', events } })).status).toBe(200)
    await page.goto(`${seeded.url}/?tag=paged&sort=oldest`)
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 50)
    await page.click('text=Load more')
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 60)
    const names = await page.$$eval('tbody tr td:first-child > a:first-child', (links) => links.map((link) => link.textContent))
    expect(names).toEqual(Array.from({ length: 60 }, (_, index) => `paged-${String(index).padStart(2, '0')}`))
    expect(await page.$('text=Load more')).toBeNull()
  })

  test('signing out clears the cookie: the API answers 401 and the sign-in form returns', async () => {
    const { context: own, page: mine } = await signedIn(browser, seeded.url, seeded.key)
    expect(await mine.evaluate(() => document.cookie)).toBe('') // httpOnly: no script sees it
    expect(await mine.evaluate(async () => (await fetch('/api/v1/traces')).status)).toBe(200)
    await mine.click('text=Sign out')
    await mine.waitForSelector('#api-key')
    expect(await mine.evaluate(async () => (await fetch('/api/v1/traces')).status)).toBe(401)
    await own.close()
  })
})
